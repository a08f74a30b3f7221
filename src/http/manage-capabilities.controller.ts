import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { assertEmail } from '../capabilities/email';
import type { CapabilityChange } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { AccountDeletionService } from '../nest/account-deletion.service';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { requireManager, requireSignedIn } from './management-access';
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

  /** Oneself, or anybody for a holder of `user_management`. */
  @Get('list')
  list(@CurrentUser() user: Principal | null, @Query('email') requested: unknown, @Res() response: unknown): void {
    const caller = requireSignedIn(user);
    const email = requested === undefined || requested === '' ? caller.email : assertEmail(requested);
    if (email !== caller.email) requireManager(this.capabilities, caller);
    this.reply(response, email, this.capabilities.policy().stored(email));
  }

  @Get('all')
  all(@CurrentUser() user: Principal | null, @Res() response: unknown): void {
    requireManager(this.capabilities, user);
    const policy = this.capabilities.policy();
    this.responder.json(response, 200, { status: 'ok', users: policy.usersAsObject(), graph: policy.graphAsObject() });
  }

  @Post('add')
  async add(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capability']);
    await this.change(manager, emailField(body), { kind: 'add', capability: capabilityField(body) }, response);
  }

  @Post('remove')
  async remove(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capability']);
    await this.change(manager, emailField(body), { kind: 'remove', capability: capabilityField(body) }, response);
  }

  @Post('set')
  async set(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = requireManager(this.capabilities, user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['email', 'capabilities']);
    await this.change(manager, emailField(body), { kind: 'set', capabilities: capabilityListField(body) }, response);
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
    this.reply(response, email, await this.capabilities.change(manager, email, change));
  }

  private reply(response: unknown, email: string, capabilities: readonly string[]): void {
    this.responder.json(response, 200, { status: 'ok', email, capabilities: [...capabilities].sort() });
  }
}
