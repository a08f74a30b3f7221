import { createRequire } from 'node:module';
import type * as GraphQl from 'graphql';
import { AccessError, type CapabilitiesError, type CapabilitiesErrorCode } from '../errors';

/**
 * A module error as GraphQL reports it: graphql-js copies `extensions` of the error a
 * resolver throws into the response, so no GraphQL package is needed to build it.
 * `code` is `UNAUTHENTICATED` or `FORBIDDEN` for a denial (the module's own code in
 * `reason`), the module's code otherwise.
 */
export class GraphQlDenial extends Error {
  readonly extensions: { readonly code: string; readonly reason: string; readonly capability?: string; readonly scope?: string };

  constructor(error: CapabilitiesError) {
    super(error.message);
    this.name = 'GraphQlDenial';
    const capability = error instanceof AccessError && error.capability !== undefined ? { capability: error.capability } : {};
    const scope = error instanceof AccessError && error.scope !== undefined ? { scope: error.scope } : {};
    this.extensions = { code: graphQlCode(error), reason: error.code, ...capability, ...scope };
  }
}

/**
 * The denial a resolver throws: a `GraphQLError` of the application's own graphql package,
 * placed at the field (`info`'s nodes and path) and carrying no stack. Apollo answers a
 * located GraphQLError as it is, and outside production adds `extensions.stacktrace` from
 * its `stack`: a denial is an answer, not a fault, so it shows no frames and no server
 * paths, whatever the application's `includeStacktraceInErrorResponses`. Where graphql
 * cannot be loaded or `info` is not a field's, the plain `GraphQlDenial`.
 *
 * @example
 * throw graphQlDenial(new AccessError('CAPABILITY_MISSING', 'read', 'missing capability "read"'), host.getArgByIndex(3));
 */
export function graphQlDenial(error: CapabilitiesError, info: unknown): Error {
  const denial = new GraphQlDenial(error);
  const graphql = loadedGraphQl();
  if (graphql === null || !isFieldInfo(info)) return denial;
  const located = new graphql.GraphQLError(denial.message, {
    nodes: info.fieldNodes,
    path: graphql.responsePathAsArray(info.path),
    originalError: error,
    extensions: denial.extensions,
  });
  Object.defineProperty(located, 'stack', { value: undefined, writable: true, configurable: true });
  return located;
}

let graphQlModule: typeof GraphQl | null | undefined;

/** The graphql package beside the application's GraphQL driver, loaded at the first denial; null without one. */
function loadedGraphQl(): typeof GraphQl | null {
  if (graphQlModule !== undefined) return graphQlModule;
  try {
    graphQlModule = createRequire(__filename)('graphql') as typeof GraphQl;
  } catch {
    graphQlModule = null;
  }
  return graphQlModule;
}

function isFieldInfo(info: unknown): info is Pick<GraphQl.GraphQLResolveInfo, 'fieldNodes' | 'path'> {
  const candidate = info as Partial<GraphQl.GraphQLResolveInfo> | null | undefined;
  return Array.isArray(candidate?.fieldNodes) && typeof candidate.path === 'object' && candidate.path !== null;
}

function graphQlCode(error: CapabilitiesError): string {
  return GRAPHQL_CODE_OF[error.code];
}

/**
 * The `extensions.code` of each module code: the GraphQL convention's `UNAUTHENTICATED`
 * and `FORBIDDEN` for a denial, the module's own code otherwise. A `Record`, so a new code
 * cannot reach a client without a decision here.
 */
const GRAPHQL_CODE_OF: Readonly<Record<CapabilitiesErrorCode, string>> = {
  CAPS_YAML_SYNTAX: 'CAPS_YAML_SYNTAX',
  CAPS_SCHEMA: 'CAPS_SCHEMA',
  CAPS_CYCLE: 'CAPS_CYCLE',
  CAPS_UNDEFINED: 'CAPS_UNDEFINED',
  CAPS_DUPLICATE_USER: 'CAPS_DUPLICATE_USER',
  CAPS_FILE_UNREADABLE: 'CAPS_FILE_UNREADABLE',
  CAPS_FILE_TOO_LARGE: 'CAPS_FILE_TOO_LARGE',
  CAPS_FILE_EXISTS: 'CAPS_FILE_EXISTS',
  POLICY_TEST_INVALID: 'POLICY_TEST_INVALID',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  CAPS_STORE_BUSY: 'CAPS_STORE_BUSY',
  INVALID_CAPABILITY_NAME: 'INVALID_CAPABILITY_NAME',
  INVALID_EMAIL: 'INVALID_EMAIL',
  UNKNOWN_CAPABILITY: 'UNKNOWN_CAPABILITY',
  UNKNOWN_ACCOUNT: 'UNKNOWN_ACCOUNT',
  INVALID_REQUEST: 'INVALID_REQUEST',
  INPUT_INVALID: 'INPUT_INVALID',
  SCOPE_INVALID: 'BAD_USER_INPUT',
  BODY_INVALID: 'BODY_INVALID',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  MEDIA_TYPE_UNSUPPORTED: 'MEDIA_TYPE_UNSUPPORTED',
  CROSS_SITE_REQUEST: 'FORBIDDEN',
  SESSION_REQUIRED: 'SESSION_REQUIRED',
  SIGN_IN_REQUIRED: 'UNAUTHENTICATED',
  CAPABILITY_MISSING: 'FORBIDDEN',
  CONTEXT_UNSUPPORTED: 'FORBIDDEN',
  GRANT_FORBIDDEN: 'GRANT_FORBIDDEN',
  LAST_ADMIN: 'LAST_ADMIN',
  ACCOUNT_PINNED: 'ACCOUNT_PINNED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  TOKEN_INVALID: 'UNAUTHENTICATED',
  TOKEN_EXPIRED: 'UNAUTHENTICATED',
  TOKEN_REVOKED: 'UNAUTHENTICATED',
  TOKEN_WRONG_TYPE: 'UNAUTHENTICATED',
  REVOCATION_LIMIT: 'REVOCATION_LIMIT',
  LOGIN_STATE_MISMATCH: 'LOGIN_STATE_MISMATCH',
  LOGIN_EXPIRED: 'LOGIN_EXPIRED',
  LOGIN_REFUSED: 'LOGIN_REFUSED',
  LOGIN_PROVIDER_ERROR: 'LOGIN_PROVIDER_ERROR',
  LOGIN_IDENTITY_LINKED: 'LOGIN_IDENTITY_LINKED',
  LOGIN_PROVIDER_UNKNOWN: 'LOGIN_PROVIDER_UNKNOWN',
  KEY_EXISTS: 'KEY_EXISTS',
  KEY_UNKNOWN: 'KEY_UNKNOWN',
  CLIENT_UNKNOWN: 'CLIENT_UNKNOWN',
  SERVICE_ACCOUNT_REQUIRED: 'SERVICE_ACCOUNT_REQUIRED',
  OAUTH_INVALID_REQUEST: 'OAUTH_INVALID_REQUEST',
  OAUTH_INVALID_CLIENT: 'OAUTH_INVALID_CLIENT',
  OAUTH_INVALID_SCOPE: 'OAUTH_INVALID_SCOPE',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'OAUTH_UNSUPPORTED_GRANT_TYPE',
  OAUTH_SLOW_DOWN: 'OAUTH_SLOW_DOWN',
};
