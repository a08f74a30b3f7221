import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Who is "signed in" at the fake Google: what its userinfo endpoint answers. */
export interface GoogleIdentity {
  readonly sub: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly name?: string;
}

/** Who is "signed in" at the fake GitHub: `/user` and `/user/emails`. */
export interface GitHubIdentity {
  readonly id: number;
  readonly login: string;
  /** The public email of `/user`; GitHub answers null when the user keeps it private. */
  readonly email: string | null;
  readonly emails: readonly { email: string; primary: boolean; verified: boolean; visibility?: string | null }[];
}

/**
 * What goes wrong at the fake provider: the user refuses, the token endpoint never
 * answers, the profile endpoint fails.
 */
export type FakeScenario = 'normal' | 'access_denied' | 'hang_token' | 'profile_fails';

/** One request made to a token endpoint, as received. */
export interface TokenRequest {
  readonly provider: 'google' | 'github';
  readonly accept: string | undefined;
  readonly form: Record<string, string>;
}

interface IssuedCode {
  readonly provider: 'google' | 'github';
  readonly subject: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | undefined;
  readonly challengeMethod: string | undefined;
  readonly offline: boolean;
}

interface IssuedToken {
  readonly provider: 'google' | 'github';
  readonly subject: string;
  readonly expiresAt: number;
}

/** Alice at Google, her address verified. */
export const ALICE_AT_GOOGLE: GoogleIdentity = { sub: '1000001', email: 'alice@example.com', email_verified: true, name: 'Alice' };

/**
 * Octo at GitHub with a private email: `/user` answers none, `/user/emails` lists the primary verified
 * Octo@Example.com, an older verified octo-old@example.org and an unverified octo-unverified@example.net.
 */
export const OCTO_WITH_PRIVATE_EMAIL: GitHubIdentity = {
  id: 2000001,
  login: 'octo',
  email: null,
  emails: [
    { email: 'octo-old@example.org', primary: false, verified: true },
    { email: 'Octo@Example.com', primary: true, verified: true, visibility: 'private' },
    { email: 'octo-unverified@example.net', primary: false, verified: false },
  ],
};

/** The client credentials the fake accepts. */
export const FAKE_CLIENTS = {
  google: { id: 'google-client-id', secret: 'google-client-secret-do-not-log' },
  github: { id: 'github-client-id', secret: 'github-client-secret-do-not-log' },
} as const;

/**
 * A local HTTP server that plays Google's and GitHub's OAuth endpoints with their
 * quirks, for tests: its authorization endpoints send the browser straight back to
 * the callback with a code for the identity chosen by the test, no page in between.
 * GitHub's token endpoint answers form-encoded unless asked for JSON; its `/user`
 * may hide the email, and `/user/emails` lists several addresses.
 */
export class FakeGoogleGitHub {
  google: GoogleIdentity = ALICE_AT_GOOGLE;
  github: GitHubIdentity = OCTO_WITH_PRIVATE_EMAIL;
  scenario: { google: FakeScenario; github: FakeScenario } = { google: 'normal', github: 'normal' };
  /** Lifetime of the access tokens issued from now on, in seconds. */
  accessTokenSeconds = 3600;
  readonly tokenRequests: TokenRequest[] = [];
  /** Access tokens the fake has issued and that have been used against its API. */
  readonly apiCalls: string[] = [];

  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, { provider: 'google' | 'github'; subject: string }>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGoogleGitHub> {
    // A request comes only once the server listens, and `fake` is set in the same turn.
    const server = createServer((request, response) => {
      fake.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { error: 'server_error', error_description: String(error) });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the fake provider has no port');
    const fake = new FakeGoogleGitHub(server, `http://127.0.0.1:${address.port}`);
    return fake;
  }

  /** The endpoints to give the Google strategy. */
  get googleEndpoints() {
    return {
      authorizationURL: `${this.url}/google/o/oauth2/v2/auth`,
      tokenURL: `${this.url}/google/token`,
      userProfileURL: `${this.url}/google/oauth2/v3/userinfo`,
    };
  }

  /** The endpoints to give the GitHub strategy. */
  get githubEndpoints() {
    return {
      authorizationURL: `${this.url}/github/login/oauth/authorize`,
      tokenURL: `${this.url}/github/login/oauth/access_token`,
      userProfileURL: `${this.url}/github/api/user`,
      userEmailURL: `${this.url}/github/api/user/emails`,
    };
  }

  /** The provider API a handler calls with the user's access token: who it belongs to. */
  get googleApiUrl(): string {
    return `${this.url}/google/api/me`;
  }

  /** Makes every access token issued so far expired, as time passing would. */
  expireAccessTokens(): void {
    for (const [token, issued] of this.tokens) this.tokens.set(token, { ...issued, expiresAt: 0 });
  }

  /** Forgets every refresh token, as a user revoking the app's access would. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  async close(): Promise<void> {
    // A hanging token request holds its socket open; end it with the server.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /google/o/oauth2/v2/auth':
        return this.authorize('google', url, response);
      case 'GET /github/login/oauth/authorize':
        return this.authorize('github', url, response);
      case 'POST /google/token':
        return this.token('google', request, response);
      case 'POST /github/login/oauth/access_token':
        return this.token('github', request, response);
      case 'GET /google/oauth2/v3/userinfo':
        return this.googleUserinfo(request, url, response);
      case 'GET /google/api/me':
        return this.googleApi(request, url, response);
      case 'GET /github/api/user':
        return this.githubUser(request, response);
      case 'GET /github/api/user/emails':
        return this.githubEmails(request, response);
      default:
        send(response, 404, { message: 'Not Found' });
    }
  }

  private authorize(provider: 'google' | 'github', url: URL, response: ServerResponse): void {
    const query = url.searchParams;
    const redirectUri = query.get('redirect_uri');
    if (redirectUri === null || query.get('client_id') !== FAKE_CLIENTS[provider].id) {
      send(response, 400, { error: 'invalid_request', error_description: 'unknown client or no redirect_uri' });
      return;
    }
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (this.scenario[provider] === 'access_denied') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user <b>denied</b> access');
    } else {
      const code = randomBytes(12).toString('hex');
      this.codes.set(code, {
        provider,
        subject: provider === 'google' ? this.google.sub : String(this.github.id),
        clientId: query.get('client_id')!,
        redirectUri,
        challenge: query.get('code_challenge') ?? undefined,
        challengeMethod: query.get('code_challenge_method') ?? undefined,
        offline: query.get('access_type') === 'offline',
      });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() });
    response.end();
  }

  private async token(provider: 'google' | 'github', request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    this.tokenRequests.push({ provider, accept: request.headers.accept, form });
    if (this.scenario[provider] === 'hang_token') return; // never answers
    const answer = (status: number, body: Record<string, string | number>): void => {
      // GitHub's quirk: form-encoded unless the client asks for JSON.
      if (provider === 'github' && !(request.headers.accept ?? '').includes('application/json')) {
        response.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
        response.end(new URLSearchParams(Object.entries(body).map(([key, value]): [string, string] => [key, String(value)])).toString());
        return;
      }
      send(response, status, body);
    };
    if (form['client_id'] !== FAKE_CLIENTS[provider].id || form['client_secret'] !== FAKE_CLIENTS[provider].secret) {
      answer(401, { error: 'invalid_client' });
      return;
    }
    if (form['grant_type'] === 'refresh_token') {
      const refresh = this.refreshTokens.get(form['refresh_token'] ?? '');
      if (refresh === undefined || refresh.provider !== provider) {
        answer(400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        return;
      }
      answer(200, this.issueAccessToken(provider, refresh.subject, false));
      return;
    }
    const code = this.codes.get(form['code'] ?? '');
    this.codes.delete(form['code'] ?? '');
    if (code === undefined || code.provider !== provider || code.redirectUri !== form['redirect_uri']) {
      // GitHub reports a bad code with status 200; Google with 400.
      answer(provider === 'github' ? 200 : 400, { error: 'bad_verification_code', error_description: 'The code is incorrect or expired.' });
      return;
    }
    if (code.challenge !== undefined) {
      const verifier = form['code_verifier'] ?? '';
      const expected = code.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (expected !== code.challenge) {
        answer(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        return;
      }
    }
    answer(200, this.issueAccessToken(provider, code.subject, code.offline));
  }

  private issueAccessToken(provider: 'google' | 'github', subject: string, offline: boolean): Record<string, string | number> {
    const accessToken = `${provider}-at-${randomBytes(12).toString('hex')}`;
    this.tokens.set(accessToken, { provider, subject, expiresAt: Date.now() + this.accessTokenSeconds * 1000 });
    const body: Record<string, string | number> = { access_token: accessToken, token_type: 'bearer' };
    if (provider === 'google') body['expires_in'] = this.accessTokenSeconds;
    if (provider === 'github') body['scope'] = 'read:user,user:email';
    if (offline) {
      const refreshToken = `${provider}-rt-${randomBytes(12).toString('hex')}`;
      this.refreshTokens.set(refreshToken, { provider, subject });
      body['refresh_token'] = refreshToken;
    }
    return body;
  }

  private bearer(request: IncomingMessage, url: URL | undefined, provider: 'google' | 'github'): IssuedToken | undefined {
    const header = request.headers.authorization ?? '';
    const token = /^(?:Bearer|token) (.+)$/i.exec(header)?.[1] ?? url?.searchParams.get('access_token') ?? '';
    const issued = this.tokens.get(token);
    if (issued === undefined || issued.provider !== provider || issued.expiresAt <= Date.now()) return undefined;
    this.apiCalls.push(token);
    return issued;
  }

  private googleUserinfo(request: IncomingMessage, url: URL, response: ServerResponse): void {
    if (this.scenario.google === 'profile_fails') {
      send(response, 503, { error: { code: 503, message: 'Backend Error' } });
      return;
    }
    if (this.bearer(request, url, 'google') === undefined) {
      send(response, 401, { error: 'invalid_token', error_description: 'Invalid Credentials' });
      return;
    }
    send(response, 200, { ...this.google, given_name: this.google.name ?? 'Someone' });
  }

  private googleApi(request: IncomingMessage, url: URL, response: ServerResponse): void {
    const issued = this.bearer(request, url, 'google');
    if (issued === undefined) {
      send(response, 401, { error: 'invalid_token' });
      return;
    }
    send(response, 200, { sub: issued.subject });
  }

  private githubUser(request: IncomingMessage, response: ServerResponse): void {
    if (this.scenario.github === 'profile_fails') {
      send(response, 502, { message: 'Server Error' });
      return;
    }
    if (this.bearer(request, undefined, 'github') === undefined) {
      send(response, 401, { message: 'Bad credentials' });
      return;
    }
    const { id, login, email } = this.github;
    send(response, 200, { id, login, email, name: null, html_url: `https://github.com/${login}` });
  }

  private githubEmails(request: IncomingMessage, response: ServerResponse): void {
    if (this.bearer(request, undefined, 'github') === undefined) {
      send(response, 401, { message: 'Bad credentials' });
      return;
    }
    send(response, 200, this.github.emails);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
