import type { IncomingHttpHeaders } from 'node:http';
import { handshakeCredentials, type WsHandshake } from '../ws/ws-handshake';

/** Where a GraphQL WebSocket connection's handshake is kept: on graphql-ws's context, or in Mercurius's connection context. */
const CONNECTION = Symbol('nest-capabilities.graphql-connection');
/** Where Mercurius keeps the `authorization` of `connectionParams`, which its `context` hook does not see. */
const CONNECTION_AUTHORIZATION = Symbol('nest-capabilities.graphql-connection-authorization');
/** The credentials the guard read from a connection, kept on it. */
const CREDENTIALS = Symbol('nest-capabilities.graphql-credentials');

/** A GraphQL WebSocket connection as its handshake showed it, before any credential is trusted. */
interface Connection {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly authorization: string | undefined;
  [CREDENTIALS]?: WsHandshake;
}

interface UpgradeRequest {
  readonly headers: IncomingHttpHeaders;
  readonly url?: string | undefined;
}

/**
 * Reads a connection at its handshake: the upgrade request's credentials are copied now,
 * because a server may later merge `connectionParams` into the request's headers.
 */
function connectionOf(upgrade: UpgradeRequest | undefined, authorization: string | undefined): Connection {
  const headers: IncomingHttpHeaders = {};
  for (const name of ['authorization', 'cookie', 'origin', 'sec-fetch-site'] as const) {
    const value = upgrade?.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { headers, url: upgrade?.url ?? '', authorization };
}

/** `connectionParams.authorization` when it is a string (`"Bearer <token>"`), else undefined. */
export function authorizationParam(connectionParams: unknown): string | undefined {
  const authorization = (connectionParams as { authorization?: unknown } | null | undefined)?.authorization;
  return typeof authorization === 'string' && authorization !== '' ? authorization : undefined;
}

/** graphql-ws's `onConnect`: keeps the handshake on graphql-ws's context, which Apollo's driver gives resolvers as `req`. */
export function rememberGraphQlWsConnection(context: { readonly extra?: unknown; readonly connectionParams?: unknown }): void {
  const upgrade = (context.extra as { request?: UpgradeRequest } | undefined)?.request;
  (context as Record<symbol, unknown>)[CONNECTION] = connectionOf(upgrade, authorizationParam(context.connectionParams));
}

/** Mercurius's subscription `context`: the handshake, to merge into the connection's context. */
export function mercuriusConnectionContext(request: UpgradeRequest): Record<symbol, unknown> {
  return { [CONNECTION]: connectionOf(request, undefined) };
}

/** Mercurius's `onConnect` answer: the `authorization` of `connectionParams`, to merge into the connection's context. */
export function mercuriusConnectionAuthorization(connectionParams: unknown): Record<symbol, unknown> {
  return { [CONNECTION_AUTHORIZATION]: authorizationParam(connectionParams) };
}

/**
 * The credentials of the connection behind a GraphQL subscription's context, with the
 * session cookie only when the handshake came from the application's own origin; computed
 * once per connection. Undefined when the context holds no connection read by
 * `guardedApolloSubscriptions` or `guardedMercuriusSubscriptions`.
 */
export function subscriptionHandshakeOf(graphqlContext: unknown, appOrigin: string): WsHandshake | undefined {
  const connection = connectionIn(graphqlContext);
  if (connection === undefined) return undefined;
  const kept = connection[CREDENTIALS];
  if (kept !== undefined) return kept;
  const authorization = connection.authorization ?? ((graphqlContext as Record<symbol, unknown>)[CONNECTION_AUTHORIZATION] as string | undefined);
  const credentials = handshakeCredentials(connection.headers, authorization, connection.url, appOrigin);
  connection[CREDENTIALS] = credentials;
  return credentials;
}

/** The credentials `subscriptionHandshakeOf` read before for this context's connection, if any. */
export function keptSubscriptionHandshake(graphqlContext: unknown): WsHandshake | undefined {
  return connectionIn(graphqlContext)?.[CREDENTIALS];
}

function connectionIn(graphqlContext: unknown): Connection | undefined {
  if (typeof graphqlContext !== 'object' || graphqlContext === null) return undefined;
  const own = (graphqlContext as Record<symbol, Connection | undefined>)[CONNECTION];
  if (own !== undefined) return own;
  const req = (graphqlContext as { req?: unknown }).req;
  return typeof req === 'object' && req !== null ? (req as Record<symbol, Connection | undefined>)[CONNECTION] : undefined;
}
