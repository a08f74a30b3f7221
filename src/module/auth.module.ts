import { Controller, Logger, Module, type DynamicModule, type NestModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { CapabilitiesExceptionFilter } from '../http/capabilities-exception.filter';
import { ModuleRoutes } from '../http/module-routes';
import { ParserRefusals } from '../http/parser-refusals';
import { CallbackController } from '../http/callback.controller';
import { LinkController } from '../http/link.controller';
import { LoginController } from '../http/login.controller';
import { ProviderAccounts } from '../nest/sign-in/provider-accounts';
import { ProviderAccessTokenPipe } from '../nest/sign-in/provider-access-token';
import { ProviderApiTokens } from '../nest/sign-in/provider-api-tokens';
import { ExplainController } from '../http/explain.controller';
import { ManageCapabilitiesController } from '../http/manage-capabilities.controller';
import { managesSomewhere } from '../capabilities/grant-rules';
import { Responder } from '../http/responder';
import { SessionController } from '../http/session.controller';
import { ProviderSignOut } from '../http/provider-sign-out';
import { TokenController } from '../http/token.controller';
import { IntrospectionController } from '../http/introspection.controller';
import { OAuthCallers } from '../http/oauth-callers';
import { WellKnownController } from '../http/well-known.controller';
import { TokenIntrospection } from '../nest/token-introspection';
import { SignInProviders } from '../nest/sign-in/sign-in-providers';
import { LoginAttempts } from '../session/login-attempt';
import { SessionCookie } from '../session/session-cookie';
import type { CapabilityStore } from '../stores/capability-store';
import type { Backend } from '../stores/backend';
import { BearerTokens } from '../tokens/bearer-tokens';
import { AuditRecorder } from '../audit/audit-recorder';
import { API_KEY_STORE, type ApiKeyStore } from '../api-keys/api-key-store';
import { CLIENT_STORE, type ClientStore } from '../clients/client-store';
import { ClientsController } from '../http/clients.controller';
import { ClientTokenController } from '../http/client-token.controller';
import { ClientService } from '../nest/client.service';
import { ClientCredentialsGrant } from '../nest/client-credentials.grant';
import { ApiKeysController } from '../http/api-keys.controller';
import { AuditController } from '../http/audit.controller';
import { AdminPageController } from '../http/admin-page.controller';
import { REVOCATION_STORE, type RevocationStore } from '../tokens/revocation-store';
import { AUTH_CONFIG, AUTH_MODULE_OPTIONS, CAPABILITY_STORE, CLOCK, GUARD_IS_GLOBAL, TELEMETRY } from '../nest/auth.constants';
import { moduleMeter } from '../telemetry/instrumentation';
import { ModuleTelemetry } from '../telemetry/module-telemetry';
import { normalizePrefix, resolveAuthConfig, type AuthConfig } from '../nest/auth-config';
import { bearerTokensFor } from '../nest/bearer-tokens.factory';
import { moduleBackend } from './module-backend';
import { assertAsyncAuthOptions, assertAuthOptions } from '../nest/auth-options.check';
import { AUTH_ASYNC_OPTIONS_TYPE, AUTH_OPTIONS_TYPE, AuthConfigurableModule } from './auth.module-definition';
import type { AuthModuleOptions } from '../nest/auth-module.options';
import { CapabilityGuard } from '../nest/capability.guard';
import { ApiKeyService } from '../nest/api-key.service';
import { CapabilityService } from '../nest/capability.service';
import { PrincipalResolver } from '../nest/principal-resolver';
import { AccountDeletionService } from '../nest/account-deletion.service';
import { ServiceAccountCutoffs } from '../nest/service-account-cutoffs';
import { RequirementsAudit } from '../nest/requirements-audit';
import { RouteRequirements } from '../nest/route-requirements';

const CONTROLLERS = [
  LoginController,
  CallbackController,
  LinkController,
  SessionController,
  TokenController,
  ApiKeysController,
  ClientsController,
  ClientTokenController,
  AuditController,
  AdminPageController,
  ManageCapabilitiesController,
  ExplainController,
  IntrospectionController,
];
// Where clients look for them, whatever the module's prefix.
const ROOT_CONTROLLERS = [WellKnownController];
const BACKEND = Symbol('nest-capabilities:backend');
const BACKEND_OWNER = Symbol('nest-capabilities:backend-owner');
const TELEMETRY_OWNER = Symbol('nest-capabilities:telemetry-owner');

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
      // Where state lives: capabilities, revocations, API keys and the audit trail.
      provide: BACKEND,
      inject: [AUTH_MODULE_OPTIONS, AUTH_CONFIG, CLOCK],
      useFactory: (options: AuthModuleOptions, config: AuthConfig, now: () => number): Promise<Backend> => moduleBackend(options, config, now, logger),
    },
    {
      // Closes on shutdown the stores the module opened.
      provide: BACKEND_OWNER,
      inject: [BACKEND],
      useFactory: (backend: Backend) => ({ onModuleDestroy: () => backend.close(), onApplicationShutdown: () => backend.close() }),
    },
    { provide: CAPABILITY_STORE, inject: [BACKEND], useFactory: (backend: Backend): CapabilityStore => backend.capabilities },
    { provide: REVOCATION_STORE, inject: [BACKEND], useFactory: (backend: Backend): RevocationStore => backend.revocations },
    { provide: API_KEY_STORE, inject: [BACKEND], useFactory: (backend: Backend): ApiKeyStore => backend.apiKeys },
    { provide: CLIENT_STORE, inject: [BACKEND], useFactory: (backend: Backend): ClientStore => backend.clients },
    { provide: CLOCK, useValue: Date.now },
    {
      // Made when the module starts, so the meter is the SDK's the application registered before creating the app.
      provide: TELEMETRY,
      inject: [AUTH_CONFIG, CAPABILITY_STORE],
      useFactory: (config: AuthConfig, store: CapabilityStore): ModuleTelemetry | null => (config.telemetry ? new ModuleTelemetry(moduleMeter(), () => store.replica?.()) : null),
    },
    {
      provide: TELEMETRY_OWNER,
      inject: [TELEMETRY],
      useFactory: (telemetry: ModuleTelemetry | null) => ({ onModuleDestroy: () => telemetry?.close() }),
    },
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
      provide: AuditRecorder,
      inject: [AUTH_CONFIG, BACKEND, CLOCK],
      useFactory: (config: AuthConfig, backend: Backend, now: () => number): AuditRecorder =>
        new AuditRecorder(backend.audit, config.instanceName, (message) => logger.error(message), now, (principal) => managesSomewhere(backend.capabilities.current(), principal)),
    },
    {
      provide: BearerTokens,
      inject: [AUTH_CONFIG, REVOCATION_STORE, CLOCK],
      useFactory: (config: AuthConfig, revocations: RevocationStore, now: () => number) => bearerTokensFor(config, revocations, now),
    },
    PrincipalResolver,
    TokenIntrospection,
    OAuthCallers,
    ServiceAccountCutoffs,
    RouteRequirements,
    CapabilityGuard,
    CapabilityService,
    AccountDeletionService,
    ApiKeyService,
    ClientService,
    ClientCredentialsGrant,
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
    const controllers = [...prefixedControllers(prefix), ...ROOT_CONTROLLERS];
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
      // @UseGuards(CapabilityGuard) and @ProviderAccessToken() are built in the application's own
      // module, so what they inject is exported with them: PrincipalResolver, RouteRequirements, the pipe.
      exports: [
        AUTH_CONFIG,
        CAPABILITY_STORE,
        TELEMETRY,
        API_KEY_STORE,
        CLIENT_STORE,
        AuditRecorder,
        ApiKeyService,
        ClientService,
        CapabilityGuard,
        PrincipalResolver,
        RouteRequirements,
        CapabilityService,
        REVOCATION_STORE,
        ProviderApiTokens,
        ProviderAccessTokenPipe,
      ],
    };
  }
}
