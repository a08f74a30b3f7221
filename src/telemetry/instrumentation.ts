import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The instrumentation scope every metric and span of the module is recorded under. */
export const INSTRUMENTATION_NAME = 'nest-capabilities';

/**
 * The package's own version, read once from its package.json (three folders up from the
 * compiled file, in the repository and in an installed package alike); `unknown` when the
 * file cannot be read, which never stops the module.
 */
export const INSTRUMENTATION_VERSION: string = packageVersion();

function packageVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The module's meter from the global meter provider: a no-op until the application
 * registers an SDK, which it must do before the module is created (the API gives
 * instruments of the provider registered at the time they are made).
 */
export function moduleMeter(): Meter {
  return metrics.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
}

/** The module's tracer: the global API's proxy, which follows a provider registered at any time. */
export function moduleTracer(): Tracer {
  return trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
}
