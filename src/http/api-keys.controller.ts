import { Controller, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import type { ApiKeyRecord } from '../api-keys/api-key';
import { assertKeyName } from '../capabilities/key-name';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { ApiKeyService } from '../nest/api-key.service';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { assertManagesAt } from '../nest/manager-access';
import { optionalScope, requireManager, requireManagerSomewhere } from './management-access';
import { capabilityListField, jsonObjectBody } from './request-body';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/** `/manage_capabilities/keys`: API keys for holders of `user_management`. */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class ApiKeysController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly capabilities: CapabilityService,
    private readonly keys: ApiKeyService,
    private readonly responder: Responder,
  ) {}

  /** Creates a key; the answer is the only place the key is ever shown. */
  @Post('keys')
  async create(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['name', 'capabilities'], ['expires_in', 'note', 'scope']);
    const scope = optionalScope(body['scope']);
    // A key limited to a scope is minted by a manager of that scope; any other, by a global manager.
    assertManagesAt(this.capabilities.policy(), manager, scope);
    const { key, record } = await this.keys.create(manager, {
      name: assertKeyName(body['name']),
      capabilities: capabilityListField(body),
      expiresIn: body['expires_in'],
      note: body['note'],
      scope,
    });
    const answer = { status: 'ok', key, name: record.name, capabilities: record.capabilities, expires_at: record.expiresAt };
    this.responder.json(response, 200, record.scope === undefined ? answer : { ...answer, scope: record.scope });
  }

  @Get('keys')
  list(@CurrentUser() user: Principal | null, @Res() response: unknown): void {
    requireManager(this.capabilities, user);
    this.responder.json(response, 200, { status: 'ok', keys: this.keys.list().map(publicKey) });
  }

  @Post('keys/revoke')
  async revoke(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const name = assertKeyName(jsonObjectBody(request, this.config.maxBodyBytes, ['name'])['name']);
    await this.keys.revoke(manager, name);
    this.responder.json(response, 200, { status: 'ok', name });
  }
}

/** A key as listed: never its hash. */
function publicKey(record: ApiKeyRecord): Record<string, unknown> {
  return {
    name: record.name,
    capabilities: record.capabilities,
    expires_at: record.expiresAt,
    created_by: record.createdBy,
    created_at: record.createdAt,
    scope: record.scope ?? null,
  };
}
