import { Controller, Logger, Module, type DynamicModule, type NestModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { CapabilitiesExceptionFilter } from '../http/capabilities-exception.filter';
import { ModuleRoutes } from '../http/module-routes';
import { ParserRefusals } from '../http/parser-refusals';
import { CallbackController } from '../http/callback.controller';
import { LinkController } from '../http/link.controller';
import { LoginController } from '../http/login.controller';
import { ProviderAccounts } from './provider-accounts';
import { ProviderAccessTokenPipe } from './provider-access-token';
import { ProviderApiTokens } from './provider-api-tokens';
import { ManageCapabilitiesController } from '../http/manage-capabilities.controller';
import { isManager } from '../http/management-access';
import { Responder } from '../http/responder';
import { SessionController } from '../http/session.controller';
import { ProviderSignOut } from '../http/provider-sign-out';
import { TokenController } from '../http/token.controller';
import { SignInProviders } from './sign-in-providers';
import { LoginAttempts } from '../session/login-attempt';
import { SessionCookie } from '../session/session-cookie';
import type { CapabilityStore } from '../stores/capability-store';
import { YamlFileStore } from '../stores/yaml-file.store';
import { RedisStores } from '../stores/redis/redis-stores';
import { BearerTokens } from '../tokens/bearer-tokens';
import { FileRevocationStore, revocationFileFor } from '../stores/file-revocation.store';
import { AuditRecorder } from '../audit/audit-recorder';
import { MemoryAuditLog, type AuditLog } from '../audit/audit-log';
import { API_KEY_STORE, MemoryApiKeyStore, type ApiKeyStore } from '../keys/api-key-store';
import { FileApiKeyStore, apiKeyFileFor } from '../stores/file-api-key.store';
import { FileAuditLog, auditFileFor } from '../stores/file-audit.log';
import { ApiKeysController } from '../http/api-keys.controller';
import { AuditController } from '../http/audit.controller';
import { AdminPageController } from '../http/admin-page.controller';
import { MemoryRevocationStore, REVOCATION_STORE, type RevocationStore } from '../tokens/revocation-store';
import { AUTH_CONFIG, CAPABILITY_STORE, CLOCK, GUARD_IS_GLOBAL } from './auth.constants';
import { ConfigError } from '../errors';
import { normalizePrefix, resolveAuthConfig, type AuthConfig } from './auth-config';
import { bearerTokensFor } from './bearer-tokens.factory';
import { assertAsyncAuthOptions, assertAuthOptions } from './auth-options.check';
import {
  AUTH_ASYNC_OPTIONS_TYPE,
  AUTH_MODULE_OPTIONS,
  AUTH_OPTIONS_TYPE,
  AuthConfigurableModule,
} from './auth.module-definition';
import type { AuthModuleOptions } from './auth-module.options';
import { CapabilityGuard } from './capability.guard';
import { ApiKeyService } from './api-key.service';
import { CapabilityService } from './capability.service';
import { PrincipalResolver } from './principal-resolver';
import { AccountDeletionService } from './account-deletion.service';
import { ServiceAccountCutoffs } from './service-account-cutoffs';
import { RequirementsAudit } from './requirements-audit';
import { RouteRequirements } from './route-requirements';

const CONTROLLERS = [
  LoginController,
  CallbackController,
  LinkController,
  SessionController,
  TokenController,
  ApiKeysController,
  AuditController,
  AdminPageController,
  ManageCapabilitiesController,
];
const STORE_OWNER = Symbol('nest-capabilities:store-owner');
const REVOCATION_OWNER = Symbol('nest-capabilities:revocation-owner');
const REDIS_STORES = Symbol('nest-capabilities:redis-stores');
const API_KEY_OWNER = Symbol('nest-capabilities:api-key-owner');

const logger = new Logger('nest-capabilities');

function coreProviders(prefix: string): Provider[] {
  return [
    {
      provide: AUTH_CONFIG,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: (options: AuthModuleOptions): AuthConfig => {
        const config = resolveAuthConfig(options, prefix);
        config.warnings.forEach((warning) => logger.warn(warning));
        return config;
      },
    },
    {
      // Both stores on one Redis, when `redis` is given; null otherwise.
      provide: REDIS_STORES,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, CLOCK],
      useFactory: (options: AuthModuleOptions, config: AuthConfig, now: () => number): Promise<RedisStores> | null => {
        if (options.redis === undefined) return null;
        if (options.store !== undefined || options.revocationStore !== undefined) {
          throw new ConfigError('redis cannot be combined with store or revocationStore: it provides both');
        }
        return RedisStores.open({ capsFile: config.capsFile, redis: options.redis, logger, now, auditRetentionDays: config.auditRetentionDays });
      },
    },
    {
      provide: CAPABILITY_STORE,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, REDIS_STORES],
      useFactory: (options: AuthModuleOptions, config: AuthConfig, redis: RedisStores | null): Promise<CapabilityStore> | CapabilityStore =>
        options.store ?? redis?.capabilities ?? YamlFileStore.open(config.capsFile, { logger }),
    },
    {
      // Closes the store on shutdown when the module opened it.
      provide: STORE_OWNER,
      inject: [AUTH_MODULE_OPTIONS, CAPABILITY_STORE],
      useFactory: (options: AuthModuleOptions, store: CapabilityStore) => ({
        onApplicationShutdown: () => (options.store === undefined ? store.close() : undefined),
        onModuleDestroy: () => (options.store === undefined ? store.close() : undefined),
      }),
    },
    { provide: CLOCK, useValue: Date.now },
    {
      // Sessions end through the same revocation store as tokens: a session id is revoked like a token id.
      provide: SessionCookie,
      inject: [AUTH_CONFIG, REVOCATION_STORE, CLOCK],
      useFactory: (config: AuthConfig, revocations: RevocationStore, now: () => number) =>
        new SessionCookie(config.keys.session, config.cookies, config.sessionTtlSeconds, revocations, now),
    },
    {
      provide: LoginAttempts,
      inject: [AUTH_CONFIG, CLOCK],
      useFactory: (config: AuthConfig, now: () => number) => new LoginAttempts(config.keys.login, config.cookies, now),
    },
    {
      // Revocations: given, else next to the caps file, else (a store of one's own without one) this process only.
      provide: REVOCATION_STORE,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, REDIS_STORES, CLOCK],
      useFactory: (options: AuthModuleOptions, config: AuthConfig, redis: RedisStores | null, now: () => number): Promise<RevocationStore> | RevocationStore => {
        if (options.revocationStore !== undefined) return options.revocationStore;
        if (redis !== null) return redis.revocations;
        if (options.store === undefined) return FileRevocationStore.open(revocationFileFor(config.capsFile), { logger, createLike: config.capsFile, now });
        logger.warn('a custom store without revocationStore: token revocations are kept in this process only');
        return new MemoryRevocationStore(now);
      },
    },
    {
      provide: REVOCATION_OWNER,
      inject: [AUTH_MODULE_OPTIONS, REVOCATION_STORE],
      useFactory: (options: AuthModuleOptions, revocations: RevocationStore) => ({
        onModuleDestroy: () => (options.revocationStore === undefined ? revocations.close() : undefined),
      }),
    },
    {
      // API keys: given, else next to the caps file, else (a store of one's own without one) this process only.
      provide: API_KEY_STORE,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, REDIS_STORES, CLOCK],
      useFactory: (options: AuthModuleOptions, config: AuthConfig, redis: RedisStores | null, now: () => number): Promise<ApiKeyStore> | ApiKeyStore => {
        if (options.apiKeyStore !== undefined) return options.apiKeyStore;
        if (redis !== null) return redis.apiKeys;
        if (options.store === undefined) return FileApiKeyStore.open(apiKeyFileFor(config.capsFile), { capsFile: config.capsFile, logger, now });
        logger.warn('a custom store without apiKeyStore: API keys are kept in this process only');
        return new MemoryApiKeyStore(now);
      },
    },
    {
      provide: API_KEY_OWNER,
      inject: [AUTH_MODULE_OPTIONS, API_KEY_STORE],
      useFactory: (options: AuthModuleOptions, keys: ApiKeyStore) => ({
        onModuleDestroy: () => (options.apiKeyStore === undefined ? keys.close() : undefined),
      }),
    },
    {
      // The audit trail: given, else next to the caps file, else (a store of one's own without one) this process only.
      provide: AuditRecorder,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, REDIS_STORES, CAPABILITY_STORE, CLOCK],
      useFactory: async (options: AuthModuleOptions, config: AuthConfig, redis: RedisStores | null, store: CapabilityStore, now: () => number): Promise<AuditRecorder> => {
        let log: AuditLog;
        if (options.auditLog !== undefined) log = options.auditLog;
        else if (redis !== null) log = redis.audit;
        else if (options.store === undefined) {
          log = await FileAuditLog.open(auditFileFor(config.capsFile), { capsFile: config.capsFile, retentionDays: config.auditRetentionDays, now });
        } else {
          logger.warn('a custom store without auditLog: the audit trail is kept in this process only');
          log = new MemoryAuditLog();
        }
        return new AuditRecorder(log, config.instanceName, (message) => logger.error(message), now, (principal) => isManager(store.current(), principal));
      },
    },
    {
      provide: BearerTokens,
      inject: [AUTH_CONFIG, REVOCATION_STORE, CLOCK],
      useFactory: (config: AuthConfig, revocations: RevocationStore, now: () => number) => bearerTokensFor(config, revocations, now),
    },
    PrincipalResolver,
    ServiceAccountCutoffs,
    RouteRequirements,
    CapabilityGuard,
    CapabilityService,
    AccountDeletionService,
    ApiKeyService,
    Responder,
    SignInProviders,
    ProviderAccounts,
    ProviderApiTokens,
    ProviderAccessTokenPipe,
    ProviderSignOut,
    RequirementsAudit,
    CapabilitiesExceptionFilter,
    { provide: APP_FILTER, useExisting: CapabilitiesExceptionFilter },
    ParserRefusals,
  ];
}

/** The module's controllers under `prefix`: subclasses, so two apps in one process may differ. */
function prefixedControllers(prefix: string): Type[] {
  if (prefix === '') return CONTROLLERS;
  return CONTROLLERS.map((base) => {
    const path = [prefix, Reflect.getMetadata(PATH_METADATA, base) as string].filter((part) => part !== '/' && part !== '').join('/');
    const prefixed = { [base.name]: class extends base {} }[base.name]!;
    Controller(path.replace(/\/+/g, '/'))(prefixed);
    return prefixed;
  });
}

/**
 * Sign-in and capability-based authorization for a Nest application.
 *
 * @example
 * @Module({ imports: [AuthModule.forRoot({ secret: process.env.AUTH_SECRET!, baseUrl: 'http://localhost:3000', devLogin: true })] })
 * export class AppModule {}
 */
@Module({})
export class AuthModule extends AuthConfigurableModule implements NestModule {
  constructor(private readonly parserRefusals: ParserRefusals) {
    super();
  }

  /** Runs after the body parsers are in place and before any route is: the module's own routes answer a refused body. */
  configure(): void {
    this.parserRefusals.install();
  }

  static override forRoot(options: typeof AUTH_OPTIONS_TYPE): DynamicModule {
    assertAuthOptions(options, 'AuthModule.forRoot', true);
    return AuthModule.complete(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    assertAsyncAuthOptions(options);
    return AuthModule.complete(super.forRootAsync(options), options);
  }

  private static complete(definition: DynamicModule, extras: { isGlobal?: boolean; prefix?: string; globalGuard?: boolean }): DynamicModule {
    const prefix = normalizePrefix(extras.prefix ?? '');
    const controllers = prefixedControllers(prefix);
    const providers: Provider[] = [...(definition.providers ?? []), ...coreProviders(prefix), { provide: ModuleRoutes, useValue: new ModuleRoutes(controllers) }];
    const guardIsGlobal = extras.globalGuard ?? true;
    providers.push({ provide: GUARD_IS_GLOBAL, useValue: guardIsGlobal });
    if (guardIsGlobal) providers.push({ provide: APP_GUARD, useExisting: CapabilityGuard });
    return {
      ...definition,
      global: extras.isGlobal ?? true,
      imports: [...(definition.imports ?? []), DiscoveryModule],
      controllers,
      providers,
      exports: [AUTH_CONFIG, CAPABILITY_STORE, API_KEY_STORE, AuditRecorder, ApiKeyService, CapabilityGuard, CapabilityService, PrincipalResolver, RouteRequirements, BearerTokens, SessionCookie, REVOCATION_STORE, ProviderApiTokens, ProviderAccessTokenPipe],
    };
  }
}
