import { Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, Public } from '../nest/decorators';
import { SessionCookie } from '../session/session-cookie';
import type { HttpRequest } from './request';
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

  /** Ends the session everywhere (a copy of the cookie stops working too), then clears the cookie. */
  @Get('logout')
  @Public()
  async logout(@Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const session = await this.sessions.read(request.headers.cookie);
    if (session !== null) await this.sessions.end(session);
    this.responder.redirect(response, '/', [this.sessions.clear()]);
  }

  @Post('logout')
  @Public()
  logoutByPost(@Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    return this.logout(request, response);
  }
}
