import type { ChildProcess } from 'node:child_process';
import { BENCH_PATH } from './apps';
import type { ChildReady } from './http-server.child';
import { credentialsOf, startChild, type AdapterName } from './http.bench';
import { CPU_NOTE, cpuPerRequest, measureInterleaved, type Measured, type RoundsOptions, type Target, type Variant } from './rounds';
import { fixed, median, table, thousands } from './stats';

/** What the client-credentials part found on one adapter: its section, and grants per second of server CPU (median of the rounds). */
export interface ClientCredentialsFigures {
  readonly markdown: string;
  readonly grantsPerCpuSecond: number;
}

/**
 * Client-credentials grants (`POST /token`, `client_secret_basic`, no `scope`) over HTTP
 * on loopback against our app on `adapter`, beside a guarded route asked with a user's
 * token on the same server: requests/s, and what each costs the server's CPU, so the
 * figure reads as grants per second of one core.
 */
export async function benchClientCredentials(adapter: AdapterName, options: RoundsOptions): Promise<ClientCredentialsFigures> {
  let started: { child: ChildProcess; ready: ChildReady } | undefined;
  try {
    started = await startChild(adapter, 'ours');
    const { child, ready } = started;
    const at = (path: string): Target => ({ url: `http://127.0.0.1:${ready.port}${path}`, server: child });
    const client = ready.client!;
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`;
    const { token } = await credentialsOf(at(BENCH_PATH));
    const grant: Variant = {
      name: 'grant',
      label: 'client-credentials grant: `POST /token`, `client_secret_basic`, every capability of the account',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      method: 'POST',
      body: 'grant_type=client_credentials',
    };
    const guarded: Variant = { name: 'guarded', label: 'a guarded route, user token (for scale)', headers: { authorization: `Bearer ${token}` } };
    const measured = await measureInterleaved([[grant, at('/token')], [guarded, at(BENCH_PATH)]], options);
    return report(adapter, measured, options);
  } finally {
    started?.child.disconnect();
  }
}

function report(adapter: AdapterName, measured: readonly Measured[], options: RoundsOptions): ClientCredentialsFigures {
  const perCpuSecond = (entry: Measured): number => median(entry.cpuRounds.map((micros) => 1_000_000 / micros));
  const rows = measured.map((entry) => [entry.variant.label, thousands(entry.requests / entry.seconds), fixed(cpuPerRequest(entry), 1), thousands(perCpuSecond(entry))]);
  const grants = perCpuSecond(measured.find((entry) => entry.variant.name === 'grant')!);
  const markdown = [
    `### ${adapter}`,
    '',
    `${options.rounds} interleaved rounds × ${options.seconds} s per variant, ${options.connections} connections, every answer 2xx. ${CPU_NOTE}`,
    '',
    table(['variant', 'req/s', 'server CPU µs per request', 'per second of server CPU (median of rounds)'], rows),
    '',
  ].join('\n');
  return { markdown, grantsPerCpuSecond: grants };
}
