import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { CapabilityGuard } from '../nest/capability.guard';
import { CurrentUser, Public } from '../nest/decorators';
import { TokenIntrospection } from '../nest/token-introspection';
import { OAuthCallers } from './oauth-callers';
import { tokenParameter } from './oauth-form';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/**
 * `POST /token/introspect` (RFC 7662): whether a token or an API key is live, and its
 * claims. Public to the guard, so that a caller authenticated otherwise than by a
 * bearer credential reaches `OAuthCallers`, which decides who may ask.
 */
@Controller()
@Public()
@UseGuards(CapabilityGuard)
export class IntrospectionController {
  constructor(
    private readonly callers: OAuthCallers,
    private readonly introspection: TokenIntrospection,
    private readonly responder: Responder,
  ) {}

  @Post('token/introspect')
  introspect(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): void {
    this.callers.introspector(request, user);
    this.responder.json(response, 200, this.introspection.of(tokenParameter(request)));
  }
}
