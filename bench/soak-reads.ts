import { request, type Agent } from 'node:http';

/** What a guarded route said: the capability is held (200), it is not (403 `CAPABILITY_MISSING`), or anything else. */
export const HELD = 1;
export const NOT_HELD = 0;
export const OTHER = 2;

/**
 * Every read of the soak, one column per field: a run of a few minutes makes a million
 * of them, which as objects would weigh on the bench's own process (and its timings).
 */
export class ReadLog {
  size = 0;
  account = new Uint8Array(1 << 16);
  route = new Uint8Array(1 << 16);
  /** The index of the instance's life (an instance restarted begins another). */
  life = new Uint8Array(1 << 16);
  outcome = new Uint8Array(1 << 16);
  /** The HTTP status; 0 when no answer came. */
  status = new Uint16Array(1 << 16);
  askedAt = new Float64Array(1 << 16);
  answeredAt = new Float64Array(1 << 16);

  push(account: number, route: number, life: number, status: number, outcome: number, askedAt: number, answeredAt: number): void {
    if (this.size === this.askedAt.length) this.grow();
    const at = this.size++;
    this.account[at] = account;
    this.route[at] = route;
    this.life[at] = life;
    this.status[at] = status;
    this.outcome[at] = outcome;
    this.askedAt[at] = askedAt;
    this.answeredAt[at] = answeredAt;
  }

  private grow(): void {
    const twice = <T extends Uint8Array | Uint16Array | Float64Array>(column: T): T => {
      const larger = new (column.constructor as new (length: number) => T)(column.length * 2);
      larger.set(column);
      return larger;
    };
    this.account = twice(this.account);
    this.route = twice(this.route);
    this.life = twice(this.life);
    this.outcome = twice(this.outcome);
    this.status = twice(this.status);
    this.askedAt = twice(this.askedAt);
    this.answeredAt = twice(this.answeredAt);
  }
}

/**
 * GET `path` on 127.0.0.1:`port` with a bearer token, through a keep-alive `agent`: its
 * status and what it means. Asked again, once, when a kept-alive connection turns out to
 * have been closed by the server as it was reused (the race every keep-alive client meets,
 * which says nothing of the server's answers).
 */
export function askGuarded(agent: Agent, port: number, path: string, token: string, again = true): Promise<{ status: number; outcome: number }> {
  return new Promise((resolve) => {
    const asked = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      // A 200's body says nothing the status does not; a 403's code tells a missing capability from anything else.
      response.on('data', (chunk: string) => (status === 403 ? (body += chunk) : undefined));
      response.on('end', () =>
        resolve({ status, outcome: status === 200 ? HELD : status === 403 && codeOf(body) === 'CAPABILITY_MISSING' ? NOT_HELD : OTHER }),
      );
      response.on('error', () => resolve({ status, outcome: OTHER }));
    });
    asked.setTimeout(15_000, () => asked.destroy(new Error('no answer within 15 s')));
    asked.on('error', (error: NodeJS.ErrnoException) => {
      if (again && asked.reusedSocket && error.code === 'ECONNRESET') resolve(askGuarded(agent, port, path, token, false));
      else resolve({ status: 0, outcome: OTHER });
    });
    asked.end();
  });
}

function codeOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}
