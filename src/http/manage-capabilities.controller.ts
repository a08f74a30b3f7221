import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { assertCapabilityName } from '../capabilities/capability-name';
import { assertDefined, type CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { assertScope } from '../capabilities/scope';
import type { CapabilityChange } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { AccountDeletionService } from '../nest/account-deletion.service';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { assertManagesAt } from '../nest/manager-access';
import { optionalScope, requireManager, requireManagerSomewhere, requireSignedIn } from './management-access';
import { capabilityField, capabilityListField, emailField, jsonObjectBody } from './request-body';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/** `/manage_capabilities/*`: read and change what users hold. */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class ManageCapabilitiesController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly capabilities: CapabilityService,
    private readonly deletions: AccountDeletionService,
    private readonly responder: Responder,
  ) {}

  /**
   * Oneself, or anybody for a holder of `user_management` (at `scope` when given): the
   * global grants, and those at every scope (only `scope` and below when given).
   */
  @Get('list')
  list(
    @CurrentUser() user: Principal | null,
    @Query('email') requested: unknown,
    @Query('scope') requestedScope: unknown,
    @Res() response: unknown,
  ): void {
    const caller = requireSignedIn(user);
    const email = requested === undefined || requested === '' ? caller.email : assertEmail(requested);
    const scope = optionalScope(requestedScope);
    const policy = this.capabilities.policy();
    if (email !== caller.email) assertManagesAt(policy, caller, scope);
    this.reply(response, policy, email, scope);
  }

  /** Every account's grants and the graph, for a global manager; the grants at `scope` and below, for a manager there. */
  @Get('all')
  all(@CurrentUser() user: Principal | null, @Query('scope') requestedScope: unknown, @Res() response: unknown): void {
    requireSignedIn(user);
    const scope = optionalScope(requestedScope);
    const policy = this.capabilities.policy();
    assertManagesAt(policy, user, scope);
    if (scope !== undefined) {
      this.responder.json(response, 200, { status: 'ok', scope, scopes: policy.scopesAsObject(scope) });
      return;
    }
    this.responder.json(response, 200, { status: 'ok', users: policy.usersAsObject(), graph: policy.graphAsObject(), scopes: policy.scopesAsObject() });
  }

  @Post('add')
  async add(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capability'], ['scope']);
    await this.change(manager, emailField(body), { kind: 'add', capability: capabilityField(body), scope: optionalScope(body['scope']) }, response);
  }

  @Post('remove')
  async remove(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capability'], ['scope']);
    await this.change(manager, emailField(body), { kind: 'remove', capability: capabilityField(body), scope: optionalScope(body['scope']) }, response);
  }

  @Post('set')
  async set(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capabilities'], ['scope']);
    await this.change(manager, emailField(body), { kind: 'set', capabilities: capabilityListField(body), scope: optionalScope(body['scope']) }, response);
  }

  /** A deleted shop: every grant at `scope` and below goes, judged like removing each. */
  @Post('drop_scope')
  async dropScope(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManagerSomewhere(this.capabilities, user);
    const scope = assertScope(jsonObjectBody(request, this.config.maxBodyBytes, ['scope'])['scope']);
    const removed = await this.capabilities.dropScope(manager, scope);
    this.responder.json(response, 200, { status: 'ok', scope, removed });
  }

  /** Every stored account holding `capability` at `scope` (globally when left out), by any route. */
  @Get('holders')
  holders(
    @CurrentUser() user: Principal | null,
    @Query('capability') requestedCapability: unknown,
    @Query('scope') requestedScope: unknown,
    @Res() response: unknown,
  ): void {
    requireSignedIn(user);
    const policy = this.capabilities.policy();
    const capability = definedCapability(policy, requestedCapability);
    const scope = optionalScope(requestedScope);
    assertManagesAt(policy, user, scope);
    const { everyone, holders } = policy.holders(capability, scope);
    this.responder.json(response, 200, { status: 'ok', capability, scope: scope ?? null, everyone, holders });
  }

  /** The fewest scopes (`under` or below it) where an account holds `capability`: what an app filters a list by. */
  @Get('scopes')
  scopes(
    @CurrentUser() user: Principal | null,
    @Query('email') requested: unknown,
    @Query('capability') requestedCapability: unknown,
    @Query('under') requestedUnder: unknown,
    @Res() response: unknown,
  ): void {
    const caller = requireSignedIn(user);
    const email = requested === undefined || requested === '' ? caller.email : assertEmail(requested);
    const policy = this.capabilities.policy();
    const capability = definedCapability(policy, requestedCapability);
    const under = optionalScope(requestedUnder, 'under');
    if (email !== caller.email) assertManagesAt(policy, caller, under);
    const { everywhere, scopes } = policy.scopesOf(email, capability, under);
    this.responder.json(response, 200, { status: 'ok', email, capability, everywhere, scopes });
  }

  /**
   * Offboarding: the account, its grants and identity links are deleted, then its tokens
   * and sessions end, on every instance; judged like a removal of all it holds.
   */
  @Post('delete')
  async delete(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const email = emailField(jsonObjectBody(request, this.config.maxBodyBytes, ['email']));
    const deleted = await this.deletions.delete(manager, email);
    this.responder.json(response, 200, { status: 'ok', email, deleted: true, revoked_issued_up_to: deleted.revokedIssuedUpTo });
  }

  private async change(manager: Principal, email: string, change: CapabilityChange, response: unknown): Promise<void> {
    this.reply(response, await this.capabilities.changeGrants(manager, email, change), email, change.scope);
  }

  /** `list`'s answer: the global grants of `email`, and those at every scope (`scope` and below when given). */
  private reply(response: unknown, policy: CapabilityPolicy, email: string, scope: string | undefined): void {
    const scopes: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const [at, names] of policy.scopedGrantsOf(email, scope)) scopes[at] = [...names].sort();
    this.responder.json(response, 200, { status: 'ok', email, capabilities: [...policy.stored(email)].sort(), scopes });
  }
}

/** The capability a query names, defined in the graph: `INVALID_CAPABILITY_NAME` or `UNKNOWN_CAPABILITY` (400) otherwise. */
function definedCapability(policy: CapabilityPolicy, value: unknown): string {
  const name = assertCapabilityName(value, 'capability');
  assertDefined(policy.graph, name);
  return name;
}
