import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { AuditEntry } from '../audit/audit-log';
import { AuditRecorder } from '../audit/audit-recorder';
import type { Principal } from '../capabilities/principal';
import { InvalidInputError } from '../errors';
import { auditTarget } from '../audit/audit-target';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { requireManager } from './management-access';
import { Responder } from './responder';

/** Entries answered when no `limit` is given, and the most one request may ask for. */
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

/** `GET /manage_capabilities/audit?email=&since=&limit=`: the audit trail, newest first. */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class AuditController {
  constructor(
    private readonly capabilities: CapabilityService,
    private readonly audit: AuditRecorder,
    private readonly responder: Responder,
  ) {}

  @Get('audit')
  async entries(
    @CurrentUser() user: Principal | null,
    @Query('email') email: unknown,
    @Query('since') since: unknown,
    @Query('limit') limit: unknown,
    @Res() response: unknown,
  ): Promise<void> {
    requireManager(this.capabilities, user);
    const entries = await this.audit.log.recent({ target: auditTarget(email), sinceMs: sinceOf(since), limit: limitOf(limit) });
    this.responder.json(response, 200, { status: 'ok', entries: entries.map(publicAuditEntry) });
  }
}

/** An entry as answered: the instance is told in `detail`, so the shape stays that of the contract. */
export function publicAuditEntry(entry: AuditEntry): Record<string, string | null> {
  return {
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    detail: `${entry.detail} (on ${entry.instance})`,
    outcome: entry.outcome,
    scope: entry.scope ?? null,
  };
}

function limitOf(value: unknown): number {
  if (value === undefined || value === '') return AUDIT_DEFAULT_LIMIT;
  const limit = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= AUDIT_MAX_LIMIT)) {
    throw new InvalidInputError('INVALID_REQUEST', 'limit', `"limit" must be a whole number from 1 to ${AUDIT_MAX_LIMIT}`);
  }
  return limit;
}

function sinceOf(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = typeof value === 'string' ? (/^\d{1,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value)) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidInputError('INVALID_REQUEST', 'since', '"since" must be unix seconds or an ISO 8601 date');
  return ms;
}
