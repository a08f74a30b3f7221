import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MODULE_PATH } from '@nestjs/common/constants';
import { ApplicationConfig, DiscoveryService, MetadataScanner, ModuleRef, ModulesContainer } from '@nestjs/core';
import { ConfigError } from '../errors';
import type { CapabilityStore } from '../stores/capability-store';
import { CAPABILITY_STORE, GUARD_IS_GLOBAL, PUBLIC_ROUTE, REQUIRED_CAPABILITIES, REQUIRED_SCOPE } from './auth.constants';
import { placeholderProblem, type RouteMount } from './scope-placeholders';
import type { CompiledScope } from './scope-template';
import { guardedSubscriptionsProblem } from '../graphql/subscription-options';
import { CapabilityGuard } from './capability.guard';
import { handlerKind, usesGuard, type HandlerKind } from './handler-kind';

/** `GRAPHQL_MODULE_OPTIONS` of @nestjs/graphql, spelled out: that package is optional and must not be loaded here. */
const GRAPHQL_MODULE_OPTIONS = 'GqlModuleOptions';

/** The parts of the GraphQL module's options the audit reads. */
type GraphQlModuleOptions = Parameters<typeof guardedSubscriptionsProblem>[0] & { readonly fieldResolverEnhancers?: readonly string[] };

type Class = (new (...args: never[]) => object) & { name: string };

/** One method that carries, or inherits from its class, a capability requirement. */
interface Requirement {
  readonly where: string;
  readonly kind: HandlerKind;
  readonly capabilities: readonly string[];
  readonly problem: string | undefined;
}

/**
 * At start-up, reads every controller and provider (resolvers, gateways, microservice
 * handlers included) and stops the application when a `@RequireCapability` would not
 * be enforced as written: a capability the graph lacks, a handler the guard cannot
 * reach (a microservice message, a plain method, no guard applied), `@Public()`
 * contradicting it, or a scope placeholder the handler cannot fill (not a route
 * parameter of its path, not an argument of its resolver). No decorator is ever silently ignored.
 * A capability removed from the file later only denies (and is logged).
 */
@Injectable()
export class RequirementsAudit implements OnApplicationBootstrap {
  private readonly logger = new Logger('nest-capabilities');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    @Inject(GUARD_IS_GLOBAL) private readonly guardIsGlobal: boolean,
    private readonly moduleRef: ModuleRef,
    private readonly modules: ModulesContainer,
    private readonly applicationConfig: ApplicationConfig,
  ) {}

  onApplicationBootstrap(): void {
    const requirements = this.requirements();
    const graph = this.store.current().graph;
    const unenforceable = requirements.flatMap((requirement) => (requirement.problem === undefined ? [] : [`${requirement.where}: ${requirement.problem}`]));
    if (unenforceable.length > 0) throw new ConfigError(`@RequireCapability cannot be enforced as written: ${unenforceable.join('; ')}`);
    const undefinedNames = undefinedCapabilities(requirements, (name) => graph.has(name));
    if (undefinedNames.length > 0) throw new ConfigError(`@RequireCapability names capabilities the graph does not define: ${undefinedNames.join('; ')}`);
    this.store.subscribe((policy) => {
      const later = undefinedCapabilities(requirements, (name) => policy.graph.has(name));
      if (later.length > 0) this.logger.warn(`routes now require undefined capabilities and deny everyone: ${later.join('; ')}`);
    });
  }

  private requirements(): Requirement[] {
    const seen = new Set<Class>();
    const found: Requirement[] = [];
    const visit = (metatype: unknown, isController: boolean, host: unknown): void => {
      if (typeof metatype !== 'function' || seen.has(metatype as Class)) return;
      seen.add(metatype as Class);
      found.push(...this.requirementsOf(metatype as Class, isController, this.mountOf(host)));
    };
    for (const wrapper of this.discovery.getControllers()) visit(wrapper.metatype, true, wrapper.host?.metatype);
    for (const wrapper of this.discovery.getProviders()) if (!wrapper.isNotMetatype) visit(wrapper.metatype, false, wrapper.host?.metatype);
    return found;
  }

  /** Where the routes of a module's controllers are mounted, as Nest's router joins them. */
  private mountOf(module: unknown): RouteMount {
    const modulePath =
      typeof module === 'function'
        ? ((Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, module) ?? Reflect.getMetadata(MODULE_PATH, module)) as string | undefined)
        : undefined;
    return { modulePath, globalPrefix: this.applicationConfig.getGlobalPrefix() };
  }

  private requirementsOf(owner: Class, isController: boolean, mount: RouteMount): Requirement[] {
    const classCapabilities = capabilitiesOf(owner);
    const classIsPublic = isPublic(owner);
    const found: Requirement[] = [];
    let handlers = 0;
    for (const name of this.scanner.getAllMethodNames(owner.prototype as object)) {
      const method = (owner.prototype as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      const kind = handlerKind(owner, method, isController);
      if (kind !== 'none') handlers++;
      const own = capabilitiesOf(method);
      const capabilities = own ?? classCapabilities;
      if (capabilities === undefined || (kind === 'none' && own === undefined)) continue;
      const where = `${owner.name}.${name}`;
      const scope = scopeOf(own === undefined ? owner : method);
      const problem =
        this.problemOf(owner, method, kind, own !== undefined, classIsPublic) ??
        (scope === null || typeof scope === 'function' || isPublic(method) === true ? undefined : placeholderProblem(scope, kind, owner, method, name, mount));
      found.push({ where, kind, capabilities, problem });
    }
    if (classCapabilities !== undefined && handlers === 0) {
      found.push({ where: owner.name, kind: 'none', capabilities: classCapabilities, problem: 'the class has no route, resolver or gateway handler, so nothing enforces its @RequireCapability' });
    }
    return found;
  }

  private problemOf(owner: Class, method: object, kind: HandlerKind, ownRequirement: boolean, classIsPublic: boolean | undefined): string | undefined {
    const methodIsPublic = isPublic(method);
    if (ownRequirement && methodIsPublic) return '@Public() and @RequireCapability on the same handler contradict each other';
    if (classIsPublic === true && (ownRequirement || capabilitiesOf(owner) !== undefined)) {
      return 'the class is @Public() but the handler asks for a capability';
    }
    if (methodIsPublic === true) return undefined;
    if (kind === 'none') return 'not a route, resolver or gateway handler, so nothing enforces its @RequireCapability';
    if (kind === 'field-resolver' && !this.guardsRunOnFieldResolvers()) {
      return "a field resolver, and guards (with the filter that maps denials to GraphQL codes) do not run on field resolvers: add fieldResolverEnhancers: ['guards', 'filters'] to the GraphQL module options";
    }
    if (kind === 'subscription') {
      const problem = guardedSubscriptionsProblem(this.graphqlOptions());
      if (problem !== undefined) return problem;
    }
    if (kind === 'rpc') return 'a microservice handler: the capability guard cannot authenticate its messages, so it would deny every one';
    // Nest builds gateways without the application's global enhancers, so a global
    // guard never runs on a WebSocket message: a gateway must name the guard itself.
    if (kind === 'gateway' && !usesGuard(owner, method, CapabilityGuard)) {
      return 'a WebSocket gateway runs no global guard: add @UseGuards(CapabilityGuard) (and @UseFilters(CapabilitiesWsFilter)) to the gateway';
    }
    if (!this.guardIsGlobal && !usesGuard(owner, method, CapabilityGuard)) {
      return 'no CapabilityGuard applies to it (globalGuard is false): add @UseGuards(CapabilityGuard)';
    }
    return undefined;
  }

  /**
   * Whether the GraphQL module runs guards, and the exception filters that turn a
   * denial into UNAUTHENTICATED/FORBIDDEN, on `@ResolveField` methods.
   */
  private guardsRunOnFieldResolvers(): boolean {
    const enhancers = this.graphqlOptions()?.fieldResolverEnhancers ?? [];
    return enhancers.includes('guards') && enhancers.includes('filters');
  }

  /**
   * The GraphQL module's options, read through the container by token (the value of
   * `GRAPHQL_MODULE_OPTIONS` in @nestjs/graphql, an optional package this file must not load).
   */
  private graphqlOptions(): GraphQlModuleOptions | undefined {
    try {
      return this.moduleRef.get<GraphQlModuleOptions>(GRAPHQL_MODULE_OPTIONS, { strict: false });
    } catch {
      return undefined;
    }
  }
}

function capabilitiesOf(target: object): readonly string[] | undefined {
  return Reflect.getMetadata(REQUIRED_CAPABILITIES, target) as readonly string[] | undefined;
}

function scopeOf(target: object): CompiledScope | null {
  return (Reflect.getMetadata(REQUIRED_SCOPE, target) as CompiledScope | null | undefined) ?? null;
}

function isPublic(target: object): boolean | undefined {
  return Reflect.getMetadata(PUBLIC_ROUTE, target) as boolean | undefined;
}

function undefinedCapabilities(requirements: readonly Requirement[], defined: (name: string) => boolean): string[] {
  return requirements.flatMap((requirement) => requirement.capabilities.filter((name) => !defined(name)).map((name) => `"${name}" on ${requirement.where}`));
}
