import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, timingSafeEqual, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertEmail } from '../capabilities/email';
import { nowSeconds } from '../clock';
import type { OidcProviderOptions } from '../providers/oidc/oidc-provider.options';

/** Options of `OAuthMock.start`. */
export interface OAuthMockOptions {
  /** Who everybody is signed in as until `setEmail`. Default `test@example.com`. */
  readonly email?: string;
  /** Port on 127.0.0.1; default a free one. */
  readonly port?: number;
}

interface PendingCode {
  readonly email: string;
  readonly redirectUri: string;
  readonly nonce: string | undefined;
  readonly codeChallenge: string | undefined;
}

/**
 * A mock OpenID Connect provider on 127.0.0.1 that signs anybody in, at once and
 * without a form, as the email you choose (as easy-oauth's `OAuthMock`): discovery,
 * authorization code with PKCE S256 and nonce, RS256 id_tokens, userinfo, and
 * `POST /set_email {"email"}`. For tests only: it authenticates everybody.
 *
 * @example
 * const mock = await OAuthMock.start({ email: 'alice@example.com' });
 * AuthModule.forRoot({ secret, baseUrl, providers: [mock.providerOptions()] });
 * mock.setEmail('bob@example.com'); // the next sign-in is Bob
 * await mock.close();
 */
export class OAuthMock {
  readonly clientId = 'nest-capabilities-mock-client';
  readonly clientSecret = randomBytes(16).toString('base64url');
  private email: string;
  private readonly codes = new Map<string, PendingCode>();
  private readonly accessTokens = new Map<string, string>();
  private readonly kid = randomBytes(8).toString('base64url');

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly signingKey: KeyObject,
    private readonly publicJwk: JsonWebKey,
    email: string,
  ) {
    this.email = email;
  }

  /** Starts the mock, listening on 127.0.0.1. */
  static async start(options: OAuthMockOptions = {}): Promise<OAuthMock> {
    // PEM first: exporting a fresh RSA key straight to JWK can hang under GC on Node 20.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const signingKey = createPrivateKey(privateKey);
    const publicJwk = createPublicKey(publicKey).export({ format: 'jwk' });
    const server = createServer((request, response) => {
      mock.handle(request, response).catch(() => send(response, 500, { error: 'server_error' }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mock = new OAuthMock(server, issuer, signingKey, publicJwk, assertEmail(options.email ?? 'test@example.com'));
    return mock;
  }

  /** Who the next sign-ins are. */
  setEmail(email: string): void {
    this.email = assertEmail(email);
  }

  /** The entry for `AuthModule`'s `providers` option. */
  providerOptions(name = 'mock'): OidcProviderOptions {
    return { kind: 'oidc', name, label: 'the mock provider', issuer: this.issuer, clientId: this.clientId, clientSecret: this.clientSecret };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.issuer);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration') return send(response, 200, this.discovery());
    if (route === 'GET /jwks') return send(response, 200, { keys: [{ ...this.publicJwk, kid: this.kid, alg: 'RS256', use: 'sig' }] });
    if (route === 'GET /authorize') return this.authorize(url, response);
    if (route === 'POST /token') return this.token(request, await readBody(request), response);
    if (route === 'GET /userinfo') return this.userinfo(request, response);
    if (route === 'POST /set_email') {
      const body = JSON.parse((await readBody(request)) || '{}') as { email?: unknown };
      this.setEmail(String(body.email));
      return send(response, 200, { status: 'ok', email: this.email });
    }
    send(response, 404, { error: 'not_found' });
  }

  private discovery(): object {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      userinfo_endpoint: `${this.issuer}/userinfo`,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'email', 'profile'],
      claims_supported: ['sub', 'email', 'email_verified', 'name'],
    };
  }

  private authorize(url: URL, response: ServerResponse): void {
    const query = url.searchParams;
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== this.clientId || redirectUri === null) return send(response, 400, { error: 'invalid_request' });
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('iss', this.issuer);
    if (query.get('response_type') !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
    } else {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { email: this.email, redirectUri, nonce: query.get('nonce') ?? undefined, codeChallenge: query.get('code_challenge') ?? undefined });
      target.searchParams.set('code', code);
    }
    response.writeHead(302, { location: target.toString() }).end();
  }

  private async token(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    if (!this.clientAuthenticated(request.headers.authorization, form)) return send(response, 401, { error: 'invalid_client' });
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (form.get('grant_type') !== 'authorization_code' || pending === undefined || pending.redirectUri !== form.get('redirect_uri')) {
      return send(response, 400, { error: 'invalid_grant' });
    }
    if (pending.codeChallenge !== undefined && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== pending.codeChallenge) {
      return send(response, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }
    const accessToken = randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, pending.email);
    const now = nowSeconds();
    const idToken = signRs256(this.signingKey, this.kid, {
      iss: this.issuer,
      aud: this.clientId,
      sub: subjectOf(pending.email),
      iat: now,
      exp: now + 300,
      email: pending.email,
      email_verified: true,
      ...(pending.nonce === undefined ? {} : { nonce: pending.nonce }),
    });
    send(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken, scope: 'openid email profile' });
  }

  private userinfo(request: IncomingMessage, response: ServerResponse): void {
    const email = this.accessTokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (email === undefined) return send(response, 401, { error: 'invalid_token' });
    send(response, 200, { sub: subjectOf(email), email, email_verified: true, name: email.split('@')[0] });
  }

  private clientAuthenticated(authorization: string | undefined, form: URLSearchParams): boolean {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString();
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const expected = Buffer.from(this.clientSecret);
    const given = Buffer.from(secret ?? '');
    return id === this.clientId && given.length === expected.length && timingSafeEqual(given, expected);
  }
}

// A stable subject per email, as a real provider keeps one per account.
function subjectOf(email: string): string {
  return createHash('sha256').update(email).digest('base64url').slice(0, 22);
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 64 * 1024) throw new Error('body too large');
  }
  return body;
}

// RS256 on node:crypto: the kit must load under Jest's CommonJS runtime, where jose (ES modules only) cannot.
function signRs256(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', kid })}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}
