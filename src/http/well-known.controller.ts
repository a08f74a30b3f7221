import { Controller, Get, Inject, Res, UseGuards } from '@nestjs/common';
import { AUTH_CONFIG, CAPABILITY_STORE } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { Public } from '../nest/decorators';
import type { CapabilityStore } from '../stores/capability-store';
import { BearerTokens } from '../tokens/bearer-tokens';
import { authorizationServerMetadata, JWKS_PATH, METADATA_PATH } from './authorization-server-metadata';
import { Responder } from './responder';

/**
 * `GET /.well-known/jwks.json` and `GET /.well-known/oauth-authorization-server`: what
 * another service needs to verify this application's tokens by itself. Always at the
 * root of the application, never under the module's prefix, where clients look.
 */
@Controller()
@Public()
@UseGuards(CapabilityGuard)
export class WellKnownController {
  private readonly base: string;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    private readonly tokens: BearerTokens,
    private readonly responder: Responder,
  ) {
    this.base = config.baseUrl.href.replace(/\/+$/, '');
  }

  @Get(JWKS_PATH)
  jwks(@Res() response: unknown): void {
    this.responder.json(response, 200, { keys: this.tokens.publicJwks() });
  }

  @Get(METADATA_PATH)
  metadata(@Res() response: unknown): void {
    const metadata = authorizationServerMetadata({
      issuer: this.tokens.issuer,
      base: this.base,
      prefix: this.config.prefix,
      asymmetric: this.tokens.algorithm !== 'HS256',
      scopes: [...this.store.current().graph.names].sort(),
    });
    this.responder.json(response, 200, metadata);
  }
}
