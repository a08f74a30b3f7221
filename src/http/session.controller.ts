import { Controller, Get, Post, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, Public } from '../nest/decorators';
import { SessionCookie } from '../session/session-cookie';
import { Responder } from './responder';

/** `/whoami` and `/logout`. */
@Controller()
@UseGuards(CapabilityGuard)
export class SessionController {
  constructor(
    private readonly capabilities: CapabilityService,
    private readonly sessions: SessionCookie,
    private readonly responder: Responder,
  ) {}

  @Get('whoami')
  whoami(@CurrentUser() user: Principal | null, @Res() response: unknown): void {
    this.responder.json(response, 200, { user: user?.email ?? null, capabilities: this.capabilities.effective(user) });
  }

  @Get('logout')
  @Public()
  logout(@Res() response: unknown): void {
    this.responder.redirect(response, '/', [this.sessions.clear()]);
  }

  @Post('logout')
  @Public()
  logoutByPost(@Res() response: unknown): void {
    this.logout(response);
  }
}
