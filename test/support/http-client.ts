/**
 * A small browser-like HTTP client over fetch for end-to-end tests: keeps cookies,
 * never follows redirects by itself, and can sign in through the development form.
 */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /**
   * The fields of a JSON body (an array's by index), none when the body is not JSON:
   * each `unknown` until a test says what it expects of it.
   */
  readonly json: JsonFields;
  readonly location: string | null;
  readonly setCookies: readonly string[];
}

/** A JSON object's fields, read one by one. */
export type JsonFields = Readonly<Record<string, unknown>>;

export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  /** A client that sends `Authorization: Bearer <token>` on every request. */
  withToken(token: string): HttpClient {
    return new HttpClient(this.baseUrl, { ...this.defaultHeaders, authorization: `Bearer ${token}` });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('GET', path, { headers });
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('POST', path, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Reply> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: { ...this.defaultHeaders, ...(cookie === '' ? {} : { cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(15_000),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.store(line);
    const text = await response.text();
    const json = fieldsOf(text);
    return { status: response.status, headers: response.headers, text, json, location: response.headers.get('location'), setCookies };
  }

  /** Signs `email` in through `GET /login/dev` and its form, as a person would. */
  async signIn(email: string, redirect = '/'): Promise<Reply> {
    const form = await this.get(`/login/dev?redirect=${encodeURIComponent(redirect)}`);
    if (form.status !== 200) throw new Error(`GET /login/dev answered ${form.status}: ${form.text}`);
    return this.postForm(`/login/dev?redirect=${encodeURIComponent(redirect)}`, { ...hiddenFields(form.text), email });
  }

  /** A bearer token for the signed-in user, from `GET /token`. */
  async token(): Promise<string> {
    const reply = await this.get('/token');
    if (reply.status !== 200) throw new Error(`GET /token answered ${reply.status}: ${reply.text}`);
    return reply.json.token as string;
  }

  private store(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === '';
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

function fieldsOf(text: string): JsonFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as JsonFields) : {};
}

/** The hidden inputs of the first form on a page. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name !== undefined && value !== undefined) fields[name] = value;
  }
  return fields;
}
