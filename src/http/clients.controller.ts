import { Controller, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import type { ClientRecord } from '../clients/client';
import { InvalidInputError } from '../errors';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { ClientService } from '../nest/client.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { assertManagesAt } from '../nest/manager-access';
import { optionalScope, requireManager, requireManagerSomewhere } from './management-access';
import { jsonObjectBody } from './request-body';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/** `/manage_capabilities/clients`: OAuth clients of service accounts, for holders of `user_management`. */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class ClientsController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly capabilities: CapabilityService,
    private readonly clients: ClientService,
    private readonly responder: Responder,
  ) {}

  /** Creates a client; the answer is the only place its secret is ever shown. */
  @Post('clients')
  async create(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['account'], ['name', 'scope']);
    const scope = optionalScope(body['scope']);
    // A client limited to a scope is made by a manager of that scope; any other, by a global manager.
    assertManagesAt(this.capabilities.policy(), manager, scope);
    const { secret, record } = await this.clients.create(manager, { account: body['account'], name: body['name'], scope });
    const answer = { status: 'ok', client_id: record.clientId, client_secret: secret, account: record.account, name: record.name };
    this.responder.json(response, 200, record.scope === undefined ? answer : { ...answer, scope: record.scope });
  }

  @Get('clients')
  list(@CurrentUser() user: Principal | null, @Res() response: unknown): void {
    requireManager(this.capabilities, user);
    this.responder.json(response, 200, { status: 'ok', clients: this.clients.list().map(publicClient) });
  }

  @Post('clients/revoke')
  async revoke(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const clientId = clientIdField(jsonObjectBody(request, this.config.maxBodyBytes, ['client_id'])['client_id']);
    await this.clients.revoke(manager, clientId);
    this.responder.json(response, 200, { status: 'ok', client_id: clientId });
  }
}

/** A client as listed: never its secret nor the secret's hash. */
export function publicClient(record: ClientRecord): Record<string, unknown> {
  return {
    client_id: record.clientId,
    account: record.account,
    name: record.name,
    created_by: record.createdBy,
    created_at: record.createdAt,
    scope: record.scope ?? null,
  };
}

function clientIdField(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 128) throw new InvalidInputError('INVALID_REQUEST', 'client_id', '"client_id" must be the id of a client');
  return value;
}
