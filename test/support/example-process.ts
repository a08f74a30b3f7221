import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort } from './free-port';
import { HttpClient } from './http-client';

const CHILD = join(__dirname, 'example-process.child.js');
export const TEST_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuv';

/** One example-app instance running in its own process on a loopback port. */
export interface ExampleProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** A client talking to this instance. */
  client(headers?: Record<string, string>): HttpClient;
  /** Everything the instance wrote to stderr so far (warnings and errors). */
  readonly stderr: () => string;
  stop(): Promise<void>;
  /** Ends the process at once with SIGKILL, as a crash would (no shutdown hooks run). */
  kill(): Promise<void>;
}

/**
 * Starts the example app in a child process with its own copy of `caps` and the
 * environment given (e.g. `REDIS_URL`, `BASE_URL` shared by all instances). Stopped
 * by its pid with `stop()`.
 */
export function startExampleProcess(caps: string, env: Record<string, string>): Promise<ExampleProcess> {
  // A port found free may be taken before the child listens on it: then another port, another child.
  return onFreePort((port) => startOnPort(port, caps, env));
}

async function startOnPort(port: number, caps: string, env: Record<string, string>): Promise<ExampleProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'caps-instance-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, caps);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: url, AUTH_SECRET: TEST_SECRET, CAPS_FILE: capsFile, AUTH_DEV_LOGIN: 'true', HTTP_ADAPTER: process.env['TEST_HTTP_ADAPTER'] ?? 'express', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    await stopChild(child, signal);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await listening(child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, port, url, client: (headers = {}) => new HttpClient(url, headers), stderr: () => stderr, stop: () => stop(), kill: () => stop('SIGKILL') };
}

function listening(child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the instance did not start within 30 s: ${stderr()}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the instance exited with ${code} before listening: ${stderr()}`));
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, signal);
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
