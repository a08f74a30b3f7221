import { userInfo } from 'node:os';

/** What a command may touch: its output streams and the environment. Tests pass their own. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  /** Prints one line; a line break in it is shown escaped, like any control character. */
  out(line: string): void;
  err(line: string): void;
}

/**
 * Exit statuses: 0 done, 1 the input (file, account, capability) was refused, 2 bad
 * usage; `plan` and `test`: 3 a capability or test file is invalid, 4 a policy test failed.
 */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INVALID_FILE = 3;
export const EXIT_TEST_FAILED = 4;

/** A command line that cannot be run as written; answered with the command's usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The capability file a command works on: `--caps`, else `$CAPS_FILE`, else `caps.yaml`. */
export function capsFileOf(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env['CAPS_FILE'] || 'caps.yaml');
}

/** Who an audit entry names for a change made on the command line: `cli:<os user>`. */
export function cliActor(env: NodeJS.ProcessEnv): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // A container may run under a user id with no name.
    user = env['USER'] ?? env['USERNAME'] ?? String(process.getuid?.() ?? 'unknown');
  }
  return `cli:${user}`;
}
