import { Inject, Injectable } from '@nestjs/common';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { DEV_PROVIDER } from './dev/dev-sign-in';
import type { SignInProvider } from './sign-in-provider';

/** The sign-in providers configured for this application, by name. */
@Injectable()
export class SignInProviders {
  private readonly byName = new Map<string, SignInProvider>();

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig) {
    if (config.devLogin) this.byName.set(DEV_PROVIDER.name, DEV_PROVIDER);
  }

  get(name: string): SignInProvider | undefined {
    return this.byName.get(name);
  }

  all(): readonly SignInProvider[] {
    return [...this.byName.values()];
  }
}
