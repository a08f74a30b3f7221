import type { StoreLogger } from './capability-store';

/**
 * The logger a store uses when given none: routine news stays quiet, while warnings
 * and errors (a broken hand edit, a failed write) reach the console.
 *
 * @example
 * await YamlFileStore.open('caps.yaml', { logger: consoleStoreLogger });
 */
export const consoleStoreLogger: StoreLogger = {
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};
