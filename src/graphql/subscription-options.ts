/** The hooks `guardedApolloSubscriptions` and `guardedMercuriusSubscriptions` put into the GraphQL module options. */
const moduleHooks = new WeakSet<object>();

/** Marks a hook as the module's own, so the start-up audit can tell it is in place. */
export function moduleHook<T extends object>(hook: T): T {
  moduleHooks.add(hook);
  return hook;
}

interface SubscriptionOptions {
  readonly transformResolvers?: unknown;
  readonly subscriptions?: { readonly 'graphql-ws'?: unknown };
  readonly subscription?: unknown;
}

function isModuleHook(hook: unknown): boolean {
  return typeof hook === 'function' && moduleHooks.has(hook);
}

/**
 * What the GraphQL module options (Apollo's or Mercurius's) lack for the module to guard a
 * subscription, or undefined when `guardedApolloSubscriptions()` or
 * `guardedMercuriusSubscriptions()` is spread into them as documented.
 */
export function guardedSubscriptionsProblem(options: SubscriptionOptions | undefined): string | undefined {
  const graphqlWs = options?.subscriptions?.['graphql-ws'] as { readonly onConnect?: unknown } | undefined;
  const mercurius = options?.subscription as { readonly context?: unknown; readonly onConnect?: unknown } | undefined;
  const readsHandshake = isModuleHook(graphqlWs?.onConnect) || (isModuleHook(mercurius?.context) && isModuleHook(mercurius?.onConnect));
  if (readsHandshake && isModuleHook(options?.transformResolvers)) return undefined;
  return (
    'a subscription, whose principal is read at the WebSocket handshake and whose capability is checked at every event only when the GraphQL module options ' +
    "include the module's subscription setup: spread guardedApolloSubscriptions() (Apollo) or guardedMercuriusSubscriptions() (Mercurius) from nest-capabilities/graphql into them"
  );
}
