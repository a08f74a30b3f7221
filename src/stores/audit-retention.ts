import { ConfigError } from '../errors';

/** Days the audit trail keeps every entry unless told otherwise. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/**
 * The days an audit trail keeps its entries: `value`, or 90 when it is undefined; null
 * (never dropped) stays null. Throws `CONFIG_INVALID` for anything but a positive number
 * of days up to 100 years.
 *
 * @example
 * checkedRetentionDays(undefined); // 90
 */
export function checkedRetentionDays(value: number | null | undefined, name = 'auditRetentionDays'): number | null {
  if (value === undefined) return DEFAULT_AUDIT_RETENTION_DAYS;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 36_500) {
    throw new ConfigError(`${name} must be a number of days above 0 and up to 36500, got ${String(value)}`);
  }
  return value;
}
