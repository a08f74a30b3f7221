import type { StoreLogger } from '../stores/capability-store';
import { openBackend, type Backend } from '../stores/backend';
import { ConfigError } from '../errors';
import type { AuthConfig } from '../nest/auth-config';
import type { AuthModuleOptions } from '../nest/auth-module.options';

/**
 * The backend the module's options describe: the app's own `backend`; else Redis when `redis` is
 * given; else the caps file and the files beside it; else (a `store` of one's own) this
 * process for every store not given, warned. `revocationStore`, `apiKeyStore` and
 * `auditLog` take the place of the backend's own, and are left open when it closes.
 */
export function moduleBackend(options: AuthModuleOptions, config: AuthConfig, now: () => number, logger: StoreLogger): Promise<Backend> {
  if (options.backend !== undefined) {
    const others = (['store', 'redis', 'revocationStore', 'apiKeyStore', 'auditLog'] as const).filter((option) => options[option] !== undefined);
    if (others.length > 0) throw new ConfigError(`backend cannot be combined with ${others.join(', ')}: it provides every store`);
    // The app's own: the module neither opens nor closes it.
    const { capabilities, revocations, apiKeys, audit, clients } = options.backend;
    return Promise.resolve({ capabilities, revocations, apiKeys, audit, clients, close: () => Promise.resolve() });
  }
  const given = {
    ...(options.revocationStore === undefined ? {} : { revocations: options.revocationStore }),
    ...(options.apiKeyStore === undefined ? {} : { apiKeys: options.apiKeyStore }),
    ...(options.auditLog === undefined ? {} : { audit: options.auditLog }),
  };
  if (options.redis !== undefined) {
    if (options.store !== undefined || options.revocationStore !== undefined) {
      throw new ConfigError('redis cannot be combined with store or revocationStore: it provides both');
    }
    return openBackend({ kind: 'redis', capsFile: config.capsFile, redis: options.redis, logger, now, auditRetentionDays: config.auditRetentionDays, given });
  }
  if (options.store === undefined) {
    return openBackend({ kind: 'file', capsFile: config.capsFile, logger, now, auditRetentionDays: config.auditRetentionDays, given });
  }
  if (options.revocationStore === undefined) logger.warn('a custom store without revocationStore: token revocations are kept in this process only');
  if (options.apiKeyStore === undefined) logger.warn('a custom store without apiKeyStore: API keys are kept in this process only');
  if (options.auditLog === undefined) logger.warn('a custom store without auditLog: the audit trail is kept in this process only');
  return openBackend({ kind: 'memory', now, given: { ...given, capabilities: options.store } });
}
