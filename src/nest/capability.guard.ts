import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import type { Principal } from '../capabilities/principal';
import { assertScope } from '../capabilities/scope';
import { AccessError, StoreUnavailableError, TokenError } from '../errors';
import { assertSameOriginRequest } from '../session/assert-same-origin';
import type { CapabilityStore } from '../stores/capability-store';
import { accessDenied } from './access';
import { AUTH_CONFIG, CAPABILITY_STORE, PRINCIPAL, TELEMETRY } from './auth.constants';
import type { Transport } from '../telemetry/decision-counter';
import type { ModuleTelemetry } from '../telemetry/module-telemetry';
import type { AuthConfig } from './auth-config';
import { PrincipalResolver } from './principal-resolver';
import { RouteRequirements, type RouteRequirement } from './route-requirements';
import { assertFillable, filledScope, type CompiledScope, type ScopeTemplate } from './scope-template';
import { keptWsHandshake, wsHandshakeOf } from '../ws/ws-handshake';
import { keptSubscriptionHandshake, subscriptionHandshakeOf } from '../graphql/subscription-connection';
import { checkEveryEvent, isSubscriptionRoot } from '../graphql/subscription-events';

interface GuardedRequest {
  readonly method: string;
  readonly url: string;
  readonly originalUrl?: string;
  readonly headers: IncomingHttpHeaders;
  /** On a WebSocket or subscription handshake only: whether it came from the application's own pages. */
  readonly fromOwnPages?: boolean;
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
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(TELEMETRY) private readonly telemetry: ModuleTelemetry | null,
  ) {
    this.origin = config.baseUrl.origin;
  }

  // Kept as a string: URL's origin getter builds a new one at each read, and a request with a session cookie reads it.
  private readonly origin: string;

  // Synchronous for a bearer token or a guest, so Nest's guard pipeline takes its
  // fast path (a boolean, not a promise); only a session cookie seen for the first time is awaited.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const requirement = this.requirements.of(context.getHandler(), context.getClass());
    if (this.telemetry === null) return this.decide(context, requirement);
    try {
      const decided = this.decide(context, requirement);
      return decided instanceof Promise ? decided.catch((error: unknown) => this.counted(context, requirement, error)) : decided;
    } catch (error) {
      return this.counted(context, requirement, error);
    }
  }

  /** Counts a refusal by its code (an error without one is not a decision) and throws it on. */
  private counted(context: ExecutionContext, requirement: RouteRequirement, error: unknown): never {
    const code = (error as { code?: unknown } | null)?.code;
    const transport = transportOf(context);
    if (typeof code === 'string' && transport !== undefined) {
      const capability = error instanceof AccessError && error.capability !== undefined ? error.capability : (requirement.capabilities[0] ?? '');
      this.telemetry!.decisions.denied(transport, code, capability);
    }
    throw error;
  }

  /** A capability check passed: counted, with the route's own list of capabilities. */
  private allowed(context: ExecutionContext, requirement: RouteRequirement): true {
    if (this.telemetry !== null) {
      const transport = transportOf(context);
      if (transport !== undefined) this.telemetry.decisions.allowed(transport, requirement.capabilities);
    }
    return true;
  }

  private decide(context: ExecutionContext, requirement: RouteRequirement): boolean | Promise<boolean> {
    const type = context.getType<string>();
    // A WebSocket client, or a GraphQL operation over one, is authenticated again at every
    // message from the credentials of its handshake, so a revoked token or an ended session
    // is refused at the next one.
    const live =
      type === 'ws'
        ? wsHandshakeOf(context.switchToWs().getClient(), this.origin)
        : type === 'graphql'
          ? subscriptionHandshakeOf(context.getArgs()[2], this.origin)
          : undefined;
    const request: GuardedRequest | undefined = live ?? requestOf(context);
    if (request === undefined) return assertKnownContext(context, requirement);
    if (live === undefined) {
      const known = request[PRINCIPAL];
      if (known !== undefined) return this.authorize(request, requirement, known, context);
    } else if (type === 'graphql') {
      this.checkEveryEvent(context, live, requirement);
    }
    return this.check(request, requirement, context);
  }

  private check(request: GuardedRequest, requirement: RouteRequirement, context: ExecutionContext): boolean | Promise<boolean> {
    const principal = this.authenticate(request, requirement);
    return principal instanceof Promise
      ? principal.then((resolved) => this.authorize(request, requirement, resolved, context))
      : this.authorize(request, requirement, principal, context);
  }

  /**
   * At the start of a guarded subscription, asks for the same check at each of its events,
   * against the policy and revocations in force then; refuses the subscription when nothing
   * would run that check (the module's subscription setup is missing).
   */
  private checkEveryEvent(context: ExecutionContext, handshake: GuardedRequest, requirement: RouteRequirement): void {
    const info: unknown = context.getArgs()[3];
    if (requirement.isPublic || requirement.capabilities.length === 0 || !isSubscriptionRoot(info)) return;
    // The subscription's context is kept for its events: a scope is filled again from the subscription's own arguments.
    if (checkEveryEvent(info, () => this.checkEvent(handshake, requirement, context))) return;
    const where = `${context.getClass().name}.${context.getHandler().name}`;
    throw new AccessError(
      'CONTEXT_UNSUPPORTED',
      requirement.capabilities[0],
      `${where} needs capability "${requirement.capabilities[0]!}" at every event of its subscription, but the GraphQL module options lack the module's subscription setup, which checks it`,
    );
  }

  /** The check of one event; a token gone bad names the capability too, as the other denials do. */
  private async checkEvent(handshake: GuardedRequest, requirement: RouteRequirement, context: ExecutionContext): Promise<void> {
    try {
      await this.check(handshake, requirement, context);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      throw new TokenError(error.code, `${error.message}; the subscription needs capability "${requirement.capabilities[0]!}"`, { cause: error });
    }
  }

  private authorize(request: GuardedRequest, requirement: RouteRequirement, principal: Principal | null, context: ExecutionContext): boolean {
    if (requirement.isPublic || !requirement.needsFreshStore) return true;
    // The one place staleness is decided: every route that needs a capability, and every
    // module route that mints or manages (@NeedsFreshStore), is refused past the bound.
    assertStoreFresh(this.store);
    if (requirement.capabilities.length === 0) return true;
    const policy = this.store.current();
    const indices = this.requirements.indicesIn(requirement, policy.graph);
    const held = policy.effectiveFor(principal);
    if (requirement.scope !== null) return this.authorizeAt(request, requirement, requirement.scope, principal, context, policy, held, indices);
    for (let i = 0; i < indices.length; i++) {
      if (!held.hasIndex(indices[i]!)) this.deny(request, principal, requirement, requirement.capabilities[i]!);
    }
    return this.allowed(context, requirement);
  }

  /**
   * The scoped check: a placeholder that is not a scope id is refused whoever asks; a
   * capability held globally holds at every scope, so the scope string is built only when
   * some capability is not, and then each is judged there.
   */
  private authorizeAt(
    request: GuardedRequest,
    requirement: RouteRequirement,
    scope: CompiledScope,
    principal: Principal | null,
    context: ExecutionContext,
    policy: CapabilityPolicy,
    held: CapabilitySet,
    indices: readonly number[],
  ): boolean {
    let fixed: string | undefined;
    let values: Readonly<Record<string, string>> | undefined;
    if (typeof scope === 'function') fixed = assertScope(scope(context));
    else if (scope.names.length === 0) fixed = scope.parts[0]!;
    else {
      const type = context.getType<string>();
      const found = placeholderValues(context, type);
      assertFillable(scope, found, type);
      values = found;
    }
    let i = 0;
    while (i < indices.length && held.hasIndex(indices[i]!)) i++;
    if (i === indices.length) return this.allowed(context, requirement);
    const at = fixed ?? filledScope(scope as ScopeTemplate, values!);
    for (; i < indices.length; i++) {
      if (!policy.holdsAt(principal, indices[i]!, at)) this.deny(request, principal, requirement, requirement.capabilities[i]!, at);
    }
    return this.allowed(context, requirement);
  }

  private authenticate(request: GuardedRequest, requirement: RouteRequirement): Principal | null | Promise<Principal | null> {
    let found: Principal | null | Promise<Principal | null>;
    try {
      found = this.resolver.identify(request.headers, request.fromOwnPages !== false);
    } catch (error) {
      return this.authenticated(request, this.unauthenticated(error, requirement, request.headers));
    }
    if (found instanceof Promise) {
      return found.then(
        (principal) => this.authenticated(request, principal),
        (error: unknown) => this.authenticated(request, this.unauthenticated(error, requirement, request.headers)),
      );
    }
    return this.authenticated(request, found);
  }

  /**
   * A bad token: its own error (401) where a capability is needed, a guest on a public
   * route, and on an OAuth endpoint a guest whose Basic header the handler judges.
   */
  private unauthenticated(error: unknown, requirement: RouteRequirement, headers: IncomingHttpHeaders): null {
    if (!(error instanceof TokenError)) throw error;
    if (!requirement.isPublic && !(requirement.acceptsClientAuthentication && isBasicAuthorization(headers.authorization))) throw new TokenError(error.code, `invalid bearer token: ${error.message}`, { cause: error });
    return null;
  }

  private authenticated(request: GuardedRequest, principal: Principal | null): Principal | null {
    if (principal?.via === 'session') assertSameOriginRequest(request.method, request.headers, this.origin);
    request[PRINCIPAL] = principal;
    return principal;
  }

  private deny(request: GuardedRequest, principal: Principal | null, requirement: RouteRequirement, missing: string, scope?: string): never {
    const returnTo = requirement.redirectToLogin ? { headers: request.headers, prefix: this.config.prefix, here: request.originalUrl ?? request.url } : undefined;
    throw accessDenied(principal, { capability: missing, returnTo, scope });
  }
}

/** Whether `header` is an `Authorization: Basic` header (an OAuth client's `client_secret_basic`). */
function isBasicAuthorization(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && /^basic /i.test(header);
}

/** The transport a decision is counted under; none for a context the guard does not read (it then fails closed uncounted). */
function transportOf(context: ExecutionContext): Transport | undefined {
  const type = context.getType<string>();
  return type === 'http' || type === 'graphql' || type === 'ws' ? type : undefined;
}

/**
 * Where a template's placeholders are filled from: the route parameters as the HTTP
 * platform decoded them, a resolver's field arguments, a gateway handler's message.
 * Never anything else of the request: no header, no query string.
 */
function placeholderValues(context: ExecutionContext, type: string): unknown {
  if (type === 'http') return context.getArgByIndex<{ params?: unknown }>(0).params;
  return type === 'graphql' || type === 'ws' ? context.getArgByIndex<unknown>(1) : undefined;
}

/** Throws `STORE_UNAVAILABLE` when the store's policy is too old to enforce (a shared store cut off from its backend). */
export function assertStoreFresh(store: CapabilityStore): void {
  if (store.isStale?.() === true) {
    throw new StoreUnavailableError('the capability store has been out of touch with its backend for too long to be trusted; try again shortly');
  }
}

/**
 * Fails closed: a handler reached through a transport this guard cannot read a
 * principal from (a microservice message, say) is denied when it needs a capability.
 */
function assertKnownContext(context: ExecutionContext, requirement: RouteRequirement): true {
  if (requirement.isPublic || requirement.capabilities.length === 0) return true;
  const where = `${context.getClass().name}.${context.getHandler().name}`;
  throw new AccessError(
    'CONTEXT_UNSUPPORTED',
    requirement.capabilities[0],
    `${where} needs capability "${requirement.capabilities[0]!}" but was reached through a "${context.getType()}" context, which the capability guard cannot authenticate`,
  );
}

/**
 * The HTTP request behind an HTTP route or a GraphQL operation over HTTP (the GraphQL
 * drivers put it in the context as `req`, on Apollo and Mercurius alike), or the handshake
 * of a WebSocket client or GraphQL subscriber the guard has read; undefined for any other transport. Read
 * through the arguments, so no GraphQL or WebSocket package is loaded here.
 */
export function requestOf(context: ExecutionContext): GuardedRequest | undefined {
  const type = context.getType<string>();
  // The first argument, as switchToHttp().getRequest() would give it, without the three closures switchToHttp makes per call.
  if (type === 'http') return context.getArgByIndex<GuardedRequest>(0);
  if (type === 'ws') return keptWsHandshake(context.switchToWs().getClient());
  if (type !== 'graphql') return undefined;
  const graphqlContext: unknown = context.getArgs()[2];
  const subscriber = keptSubscriptionHandshake(graphqlContext);
  if (subscriber !== undefined) return subscriber;
  const request = (graphqlContext as { req?: GuardedRequest } | undefined)?.req;
  return request !== undefined && typeof request.headers === 'object' && request.headers !== null ? request : undefined;
}
