import { ConfigError } from '../../errors';

/** The longest delay a Node timer holds; a longer one fires after 1 ms instead. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The interval a file store polls at: a positive number of milliseconds (else a ConfigError
 * at start-up), capped at the longest a timer holds, so "very rarely" never turns into "always".
 */
export function checkedPollInterval(milliseconds: number): number {
  if (!Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new ConfigError(`pollIntervalMs must be a positive number of milliseconds, got ${milliseconds}`);
  }
  return Math.min(milliseconds, LONGEST_TIMER_MS);
}
