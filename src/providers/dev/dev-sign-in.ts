import type { SignInProvider } from '../sign-in-provider';

/** The development provider: a form that signs in whatever email it is given. */
export const DEV_PROVIDER: SignInProvider = { name: 'dev', label: 'the development sign-in' };
