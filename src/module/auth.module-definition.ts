import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleExtras, AuthModuleOptions } from '../nest/auth-module.options';
import { AUTH_MODULE_OPTIONS } from '../nest/auth.constants';

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth', optionsInjectionToken: AUTH_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras & { globalGuard?: boolean }>({ isGlobal: true, prefix: '', globalGuard: true }, (definition) => definition)
  .build();
