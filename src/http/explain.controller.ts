import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { assertCapabilityName } from '../capabilities/capability-name';
import { assertDefined } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { explain } from '../capabilities/explain';
import type { Principal } from '../capabilities/principal';
import { assertScope } from '../capabilities/scope';
import { InvalidInputError } from '../errors';
import { assertAccess } from '../nest/access';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { assertManagesAt } from '../nest/manager-access';
import { Responder } from './responder';

/** `GET /manage_capabilities/explain`: why an account holds a capability, or does not. */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class ExplainController {
  constructor(
    private readonly capabilities: CapabilityService,
    private readonly responder: Responder,
  ) {}

  /**
   * Oneself, or anybody for a holder of `user_management` at the scope asked about
   * (globally without one). The verdict is the guard's for a session of that account.
   */
  @Get('explain')
  explain(@CurrentUser() user: Principal | null, @Query('email') requested: unknown, @Query('capability') rawCapability: unknown, @Query('scope') rawScope: unknown, @Res() response: unknown): void {
    assertAccess(user);
    const named = requested !== undefined && requested !== '';
    // An API key holds its own capabilities, not an account's: there is no "oneself" to explain.
    if (!named && user.kind === 'key') throw new InvalidInputError('INVALID_REQUEST', 'email', 'an API key is not an account: name the account to explain in "email"');
    const email = named ? assertEmail(requested) : user.email;
    const scope = rawScope === undefined ? undefined : assertScope(rawScope);
    const policy = this.capabilities.policy();
    if (email !== user.email) assertManagesAt(policy, user, scope);
    const capability = assertCapabilityName(rawCapability, 'capability');
    assertDefined(policy.graph, capability);
    const { allowed, because } = explain(policy, email, capability, scope);
    this.responder.json(response, 200, { status: 'ok', email, capability, scope: scope ?? null, allowed, because });
  }
}
