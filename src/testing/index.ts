// The testing kit, `nest-capabilities/testing`: for an application's own tests.
export { createTestAuth, TEST_PROVIDER } from './test-auth';
export type { AsUserOptions, TestAgent, TestAuth } from './test-auth';
export { OAuthMock } from './oauth-mock';
export type { OAuthMockOptions } from './oauth-mock';
// The module's clock, to freeze every expiry in a test: overrideProvider(CLOCK).useValue(() => frozenMs).
export { CLOCK } from '../nest/auth.constants';
