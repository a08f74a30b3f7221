import type { IncomingHttpHeaders } from 'node:http';
import type { CapabilitiesErrorCode } from '../errors';
import { comesFromOwnPages } from '../session/assert-same-origin';

/** Where `rememberHandshake` keeps a platform-ws client's upgrade request. */
const UPGRADE = Symbol('nest-capabilities.upgrade');
/** The credentials read once from a client's handshake, kept on the client. */
const HANDSHAKE = Symbol('nest-capabilities.handshake');

/** What the guard reads a WebSocket principal from: the handshake's credentials, as headers. */
export interface WsHandshake {
  readonly method: 'GET';
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * Whether the handshake came from the application's own pages (`comesFromOwnPages`): only
   * then may the session cookie, or the `devUser`, stand for a client without a token.
   */
  readonly fromOwnPages: boolean;
}

interface SocketIoClient {
  readonly handshake: { readonly headers: IncomingHttpHeaders; readonly url?: string; readonly auth?: { readonly token?: unknown } };
}

type WsClient = Record<symbol, unknown>;

/**
 * Keeps the upgrade request of a platform-ws client, which `@nestjs/platform-ws` does not
 * keep on the socket; socket.io clients need nothing. Call it from the gateway's
 * `handleConnection`.
 *
 * @example
 * handleConnection(client: WebSocket, request: IncomingMessage) { rememberHandshake(client, request); }
 */
export function rememberHandshake(client: object, request: { readonly headers: IncomingHttpHeaders; readonly url?: string | undefined }): void {
  (client as WsClient)[UPGRADE] = request;
}

/**
 * The credentials of a WebSocket client, read at its handshake: a bearer token (the
 * `Authorization` header, or socket.io's `auth.token`), else the session cookie, but only
 * when the handshake comes from the application's own pages (`comesFromOwnPages`), so a
 * page of another site cannot ride a visitor's cookie (cross-site WebSocket hijacking).
 * Computed once per client.
 */
export function wsHandshakeOf(client: unknown, appOrigin: string): WsHandshake | undefined {
  if (typeof client !== 'object' || client === null) return undefined;
  const kept = (client as WsClient)[HANDSHAKE] as WsHandshake | undefined;
  if (kept !== undefined) return kept;
  const handshake = readHandshake(client, appOrigin);
  if (handshake !== undefined) (client as WsClient)[HANDSHAKE] = handshake;
  return handshake;
}

/** The handshake `wsHandshakeOf` read from this client before, if any. */
export function keptWsHandshake(client: unknown): WsHandshake | undefined {
  return typeof client === 'object' && client !== null ? ((client as WsClient)[HANDSHAKE] as WsHandshake | undefined) : undefined;
}

function readHandshake(client: object, appOrigin: string): WsHandshake | undefined {
  const io = (client as Partial<SocketIoClient>).handshake;
  const upgrade = (client as WsClient)[UPGRADE] as { headers: IncomingHttpHeaders; url?: string } | undefined;
  const source = io ?? upgrade;
  if (source === undefined || typeof source.headers !== 'object' || source.headers === null) return undefined;
  const token = io?.auth?.token;
  return handshakeCredentials(source.headers, typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined, source.url ?? '', appOrigin);
}

/**
 * The credentials of a WebSocket handshake (its upgrade request's `headers`): `authorization`
 * sent inside the protocol (socket.io's `auth`, GraphQL's `connectionParams`) or else the
 * `Authorization` header, and the session cookie only when the handshake comes from the
 * application's own pages (`comesFromOwnPages`), so a page of another site cannot ride a
 * visitor's cookie (cross-site WebSocket hijacking), nor act as the `devUser`.
 *
 * @example handshakeCredentials({ cookie: 'sid=…', origin: 'https://evil.example' }, undefined, '/', 'https://app.example.com').headers // {}
 */
export function handshakeCredentials(headers: IncomingHttpHeaders, authorization: string | undefined, url: string, appOrigin: string): WsHandshake {
  const credentials: IncomingHttpHeaders = {};
  const bearer = authorization ?? headers.authorization;
  if (bearer !== undefined) credentials.authorization = bearer;
  const fromOwnPages = comesFromOwnPages(headers, appOrigin);
  if (headers.cookie !== undefined && fromOwnPages) credentials.cookie = headers.cookie;
  return { method: 'GET', url, headers: credentials, fromOwnPages };
}

/**
 * Sends a denial to a WebSocket client as Nest's `BaseWsExceptionFilter` does, plus the
 * module's `code`: socket.io's `exception` event `{status: 'error', message, code}`, or for
 * platform-ws the JSON message `{"event": "exception", "data": {...}}`. The `code` is the
 * HTTP answer's, as the contract asks, and typed as the module's codes, so nothing but a
 * module code reaches a client.
 */
export function sendWsDenial(client: unknown, error: { readonly code: CapabilitiesErrorCode; readonly message: string; readonly scope?: string | undefined }): void {
  // A scoped denial names its scope, as the HTTP answer does.
  const payload = { status: 'error', message: error.message, code: error.code, ...(error.scope === undefined ? {} : { scope: error.scope }) };
  const socket = client as { handshake?: unknown; emit?: (event: string, data: unknown) => void; send?: (data: string) => void };
  if (socket.handshake !== undefined && typeof socket.emit === 'function') socket.emit('exception', payload);
  else if (typeof socket.send === 'function') socket.send(JSON.stringify({ event: 'exception', data: payload }));
}
