import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CapabilityGraph } from '../capabilities/capability-graph';
import { CLIENT_AUTHENTICATION, NEEDS_FRESH_STORE, PUBLIC_ROUTE, REDIRECT_TO_LOGIN, REQUIRED_CAPABILITIES, REQUIRED_SCOPE } from './auth.constants';
import type { CompiledScope } from './scope-template';

/** What one handler asks of its callers, read from its decorators once. */
export interface RouteRequirement {
  readonly capabilities: readonly string[];
  /** Where `capabilities` are needed: a compiled template or a function of the context; null for a global requirement. */
  readonly scope: CompiledScope | null;
  readonly isPublic: boolean;
  readonly redirectToLogin: boolean;
  /** Whether an `Authorization: Basic` header is an OAuth client's, left to the handler (`@AcceptsClientAuthentication`). */
  readonly acceptsClientAuthentication: boolean;
  /** Whether the handler decides on the store: it needs a capability, or is marked `@NeedsFreshStore`. */
  readonly needsFreshStore: boolean;
  /** Indices of `capabilities` in `graph`, refreshed when the graph changes; -1 for an unknown one. */
  indices: readonly number[];
  graph: CapabilityGraph | undefined;
}

/**
 * Reads each handler's decorators on its first request and keeps the result, so the
 * guard's hot path is one WeakMap lookup instead of reflection.
 */
@Injectable()
export class RouteRequirements {
  private readonly byHandler = new WeakMap<object, RouteRequirement>();

  constructor(private readonly reflector: Reflector) {}

  of(handler: object, controller: object): RouteRequirement {
    let requirement = this.byHandler.get(handler);
    if (requirement === undefined) {
      const targets = [handler, controller] as (() => void)[];
      const capabilities = this.reflector.getAllAndOverride<readonly string[] | undefined>(REQUIRED_CAPABILITIES, targets) ?? [];
      requirement = {
        capabilities,
        scope: this.reflector.getAllAndOverride<CompiledScope | null | undefined>(REQUIRED_SCOPE, targets) ?? null,
        isPublic: this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) ?? false,
        redirectToLogin: this.reflector.getAllAndOverride<boolean | undefined>(REDIRECT_TO_LOGIN, targets) ?? false,
        acceptsClientAuthentication: this.reflector.getAllAndOverride<boolean | undefined>(CLIENT_AUTHENTICATION, targets) ?? false,
        needsFreshStore: capabilities.length > 0 || (this.reflector.getAllAndOverride<boolean | undefined>(NEEDS_FRESH_STORE, targets) ?? false),
        indices: [],
        graph: undefined,
      };
      this.byHandler.set(handler, requirement);
    }
    return requirement;
  }

  /** The indices of the requirement's capabilities in `graph`, computed once per graph. */
  indicesIn(requirement: RouteRequirement, graph: CapabilityGraph): readonly number[] {
    if (requirement.graph !== graph) {
      requirement.indices = requirement.capabilities.map((name) => graph.indexOf(name));
      requirement.graph = graph;
    }
    return requirement.indices;
  }
}
