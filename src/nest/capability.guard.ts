import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import { LoginRedirect } from '../http/login-redirect';
import { assertSameOriginRequest } from '../session/assert-same-origin';
import type { CapabilityStore } from '../stores/capability-store';
import { AUTH_CONFIG, CAPABILITY_STORE, PRINCIPAL } from './auth.constants';
import type { AuthConfig } from './auth-config';
import { EffectiveSets } from './effective-sets';
import { PrincipalResolver } from './principal-resolver';
import { RouteRequirements, type RouteRequirement } from './route-requirements';

interface GuardedRequest {
  readonly method: string;
  readonly url: string;
  readonly originalUrl?: string;
  readonly headers: IncomingHttpHeaders;
  [PRINCIPAL]?: Principal | null;
}

/**
 * Authenticates every request it guards and enforces `@RequireCapability`:
 * 401 when nobody is signed in, 403 when the caller lacks a capability.
 * Use it globally (the default of `AuthModule`) or with `@UseGuards(CapabilityGuard)`.
 */
@Injectable()
export class CapabilityGuard implements CanActivate {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly requirements: RouteRequirements,
    private readonly effectiveSets: EffectiveSets,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const requirement = this.requirements.of(context.getHandler(), context.getClass());
    const principal = request[PRINCIPAL] === undefined ? await this.authenticate(request, requirement) : request[PRINCIPAL];
    if (requirement.isPublic || requirement.capabilities.length === 0) return true;
    const policy = this.store.current();
    const held = this.effectiveSets.of(policy, principal);
    const indices = this.requirements.indicesIn(requirement, policy.graph);
    for (let i = 0; i < indices.length; i++) {
      if (!held.hasIndex(indices[i]!)) this.deny(request, principal, requirement, requirement.capabilities[i]!);
    }
    return true;
  }

  private async authenticate(request: GuardedRequest, requirement: RouteRequirement): Promise<Principal | null> {
    let principal: Principal | null;
    try {
      principal = await this.resolver.resolve(request.headers);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (!requirement.isPublic) throw new UnauthorizedException({ statusCode: 401, message: `invalid bearer token: ${error.message}` });
      principal = null;
    }
    if (principal?.via === 'session') assertSameOriginRequest(request.method, request.headers, this.config.baseUrl.origin);
    request[PRINCIPAL] = principal;
    return principal;
  }

  private deny(request: GuardedRequest, principal: Principal | null, requirement: RouteRequirement, missing: string): never {
    if (principal !== null) {
      throw new ForbiddenException({ statusCode: 403, message: `missing capability "${missing}"` });
    }
    if (requirement.redirectToLogin && request.headers.authorization === undefined && acceptsHtml(request.headers)) {
      throw new LoginRedirect(`${this.config.prefix}/login?redirect=${encodeURIComponent(request.originalUrl ?? request.url)}`);
    }
    throw new UnauthorizedException({ statusCode: 401, message: `sign-in required: this route needs capability "${missing}"` });
  }
}

export function acceptsHtml(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}
