import { Inject, Injectable, Optional } from '@nestjs/common';
import { MemoryAuditLog } from '../../audit/audit-log';
import { AuditRecorder } from '../../audit/audit-recorder';
import { assertIdentityFree } from '../../capabilities/capability-policy';
import type { Principal } from '../../capabilities/principal';
import { identityKey, legacyIdentityKey } from '../../capabilities/identity-link';
import { CAPABILITY_STORE } from '../auth.constants';
import type { CapabilityStore } from '../../stores/capability-store';
import { LoginError } from '../../errors';
import type { LoginAttempt } from '../../session/login-attempt';
import { accountEmailOf } from '../../providers/sign-in';
import type { IdentitySource, ProviderIdentity } from '../../providers/sign-in-provider';

/**
 * Which account a provider's identity signs in to. The default: the verified email,
 * canonical, never a service account. Account linking extends this, so that a
 * linked identity reaches the account it was linked to.
 *
 * Links are keyed by the provider's issuer (`<issuer>#<subject>`); a link in the
 * older `<route name>:<subject>` form is honoured only where the source allows it
 * (Google's and GitHub's own endpoints).
 *
 * @example
 * const email = await accounts.accountFor(provider.identitySource, identity, attempt); // 'ada@example.com'
 */
@Injectable()
export class ProviderAccounts {
  constructor(
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    // Optional so that the class works on its own; the module always gives the trail.
    @Optional() private readonly audit: AuditRecorder = new AuditRecorder(new MemoryAuditLog()),
  ) {}

  async accountFor(source: IdentitySource, identity: ProviderIdentity, attempt: LoginAttempt): Promise<string> {
    const key = identityKey(source.issuer, identity.subject);
    const legacy = source.legacyName === undefined ? undefined : legacyIdentityKey(source.legacyName, identity.subject);
    // A link started by a signed-in user (`GET /link/<provider>`): the attempt names the account.
    if (attempt.linkTo !== undefined) return this.link(key, legacy, attempt.linkTo);
    const policy = this.store.current();
    const linked = policy.linkedAccount(key) ?? (legacy === undefined ? undefined : policy.linkedAccount(legacy));
    if (linked !== undefined) return linked;
    assertEmailVerified(identity);
    return accountEmailOf(identity.email);
  }

  /** Whether identities can be linked: the store must be able to keep the links. */
  get linking(): boolean {
    return typeof this.store.linkIdentity === 'function';
  }

  private async link(key: string, legacy: string | undefined, email: string): Promise<string> {
    const linking: Principal = { email, kind: 'user', via: 'session' };
    await this.audit.record(linking, 'link', email, `link ${key}`, async () => {
      const links = this.store.current().identities;
      assertIdentityFree(links, key, email);
      if (legacy !== undefined) assertIdentityFree(links, legacy, email);
      if (this.store.linkIdentity === undefined) throw new LoginError('LOGIN_REFUSED', 'account linking is not available with this capability store');
      await this.store.linkIdentity(key, email);
    }, () => `linked ${key}`);
    return email;
  }
}

/**
 * Throws `LOGIN_REFUSED` unless the provider vouches for the email (`email_verified: true`, GitHub's primary verified address).
 *
 * @example
 * assertEmailVerified({ subject: '42', email: 'ada@example.com', emailVerified: false }); // throws LOGIN_REFUSED
 */
export function assertEmailVerified(identity: ProviderIdentity): void {
  if (identity.email === undefined || identity.email === null || identity.email === '') {
    throw new LoginError('LOGIN_REFUSED', 'sign-in refused: the provider did not share an email address');
  }
  if (identity.emailVerified !== true) {
    throw new LoginError('LOGIN_REFUSED', 'sign-in refused: the provider has not verified this email address');
  }
}
