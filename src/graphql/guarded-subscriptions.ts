import type { GqlModuleOptions, GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { IncomingHttpHeaders } from 'node:http';
import { mercuriusConnectionAuthorization, mercuriusConnectionContext, rememberGraphQlWsConnection } from './subscription-connection';
import { checkedEvents, eventCheckOf, expectEventCheck, isAsyncIterable } from './subscription-events';
import { moduleHook } from './subscription-options';

type TransformResolvers = NonNullable<GqlModuleOptions['transformResolvers']>;
type Resolvers = Parameters<TransformResolvers>[0];
type Subscribe = (source: unknown, args: unknown, context: unknown, info: unknown) => unknown;

/** What `guardedApolloSubscriptions` adds to the options of `GraphQLModule.forRoot<ApolloDriverConfig>`. */
export interface GuardedApolloSubscriptions {
  readonly subscriptions: { readonly 'graphql-ws': GraphQLWsSubscriptionsConfig };
  readonly transformResolvers: TransformResolvers;
}

/** The Mercurius subscription hooks the module composes with an application's own. */
export interface MercuriusSubscriptionHooks {
  readonly context?: (socket: never, request: never) => object | Promise<object>;
  readonly onConnect?: (data: { type: 'connection_init'; payload: never }) => unknown;
}

/** What `guardedMercuriusSubscriptions` adds to the options of `GraphQLModule.forRoot<MercuriusDriverConfig>`. */
export interface GuardedMercuriusSubscriptions<Options extends MercuriusSubscriptionHooks> {
  readonly subscription: Omit<Options, 'context' | 'onConnect'> & {
    readonly context: (socket: unknown, request: { readonly headers: IncomingHttpHeaders; readonly url?: string }) => Promise<Record<string, unknown>>;
    readonly onConnect: (data: { type: 'connection_init'; payload: unknown }) => Promise<false | Record<string, unknown>>;
  };
  readonly transformResolvers: TransformResolvers;
}

/**
 * Guarded GraphQL subscriptions over `graphql-ws` for the Apollo driver: spread into the
 * options of `GraphQLModule.forRoot<ApolloDriverConfig>`. The subscriber is read at the
 * handshake (`connectionParams.authorization: "Bearer <token>"`, or the session cookie when
 * the handshake's Origin is the application's own), `@RequireCapability` is checked when the
 * subscription starts and again at every event, so a revoked token, an ended session or a
 * removed capability ends the stream with an `UNAUTHENTICATED` or `FORBIDDEN` error.
 * `graphqlWs` are graphql-ws options of the application's own (an `onConnect` runs after the module's).
 *
 * @example
 * GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, ...guardedApolloSubscriptions() })
 */
export function guardedApolloSubscriptions(graphqlWs: GraphQLWsSubscriptionsConfig = {}): GuardedApolloSubscriptions {
  const own = graphqlWs.onConnect;
  const onConnect: NonNullable<GraphQLWsSubscriptionsConfig['onConnect']> = (context) => {
    rememberGraphQlWsConnection(context);
    return own?.(context);
  };
  return { subscriptions: { 'graphql-ws': { ...graphqlWs, onConnect: moduleHook(onConnect) } }, transformResolvers: checkSubscriptionEvents };
}

/**
 * As `guardedApolloSubscriptions`, for the Mercurius driver (graphql-ws protocol): spread into
 * the options of `GraphQLModule.forRoot<MercuriusDriverConfig>`, in place of `subscription`.
 * `subscription` are Mercurius subscription options of the application's own (a pubsub
 * `emitter`, `keepAlive`; a `context` is merged with the module's, an `onConnect` runs first
 * and may still refuse the connection).
 *
 * @example
 * GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, ...guardedMercuriusSubscriptions() })
 */
export function guardedMercuriusSubscriptions<Options extends MercuriusSubscriptionHooks = MercuriusSubscriptionHooks>(
  subscription?: Options,
): GuardedMercuriusSubscriptions<Options> {
  const ownContext = subscription?.context as ((socket: unknown, request: unknown) => object | Promise<object>) | undefined;
  const ownOnConnect = subscription?.onConnect as ((data: { type: 'connection_init'; payload: unknown }) => unknown) | undefined;
  const context = async (socket: unknown, request: { readonly headers: IncomingHttpHeaders; readonly url?: string }): Promise<Record<string, unknown>> => ({
    ...(await ownContext?.(socket, request)),
    ...mercuriusConnectionContext(request),
  });
  const onConnect = async (data: { type: 'connection_init'; payload: unknown }): Promise<false | Record<string, unknown>> => {
    const permitted = ownOnConnect === undefined ? true : await ownOnConnect(data);
    if (permitted === false || permitted === null || permitted === undefined) return false;
    return { ...(typeof permitted === 'object' ? permitted : {}), ...mercuriusConnectionAuthorization(data.payload) };
  };
  const hooks = { context: moduleHook(context), onConnect: moduleHook(onConnect) };
  return { subscription: { ...(subscription as Omit<Options, 'context' | 'onConnect'>), ...hooks }, transformResolvers: checkSubscriptionEvents };
}

/**
 * The `transformResolvers` of both helpers: every root subscription field's `subscribe` is
 * wrapped so that the capability check the guard asks for when the subscription starts runs
 * again at every event.
 */
const checkSubscriptionEvents: TransformResolvers = moduleHook((resolvers: Resolvers) =>
  Array.isArray(resolvers) ? resolvers.map(withCheckedSubscriptions) : withCheckedSubscriptions(resolvers),
);

function withCheckedSubscriptions<T extends object>(resolvers: T): T {
  const subscription = (resolvers as { Subscription?: unknown }).Subscription;
  if (typeof subscription !== 'object' || subscription === null) return resolvers;
  const fields = Object.entries(subscription).map(([name, field]: [string, unknown]) => {
    const subscribe = (field as { subscribe?: unknown } | null)?.subscribe;
    return typeof subscribe === 'function' ? [name, { ...(field as object), subscribe: checkedSubscribe(subscribe as Subscribe) }] : [name, field];
  });
  return { ...resolvers, Subscription: Object.fromEntries(fields) as unknown };
}

function checkedSubscribe(subscribe: Subscribe): Subscribe {
  return (source, args, context, info) => {
    if (typeof info !== 'object' || info === null) return subscribe(source, args, context, info);
    expectEventCheck(info);
    const events = subscribe(source, args, context, info);
    return events instanceof Promise ? events.then((resolved: unknown) => withEventCheck(resolved, info)) : withEventCheck(events, info);
  };
}

function withEventCheck(events: unknown, info: object): unknown {
  const check = eventCheckOf(info);
  return check !== undefined && isAsyncIterable(events) ? checkedEvents(events, check) : events;
}
