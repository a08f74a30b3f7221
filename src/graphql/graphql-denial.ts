import { createRequire } from 'node:module';
import type * as GraphQl from 'graphql';
import { AccessError, CapabilitiesError, TokenError } from '../errors';

/**
 * A module error as GraphQL reports it: graphql-js copies `extensions` of the error a
 * resolver throws into the response, so no GraphQL package is needed to build it.
 * `code` is `UNAUTHENTICATED` or `FORBIDDEN` for a denial (the module's own code in
 * `reason`), the module's code otherwise.
 */
export class GraphQlDenial extends Error {
  readonly extensions: { readonly code: string; readonly reason: string; readonly capability?: string };

  constructor(error: CapabilitiesError) {
    super(error.message);
    this.name = 'GraphQlDenial';
    const capability = error instanceof AccessError && error.capability !== undefined ? { capability: error.capability } : {};
    this.extensions = { code: graphQlCode(error), reason: error.code, ...capability };
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
  if (error instanceof TokenError || error.code === 'SIGN_IN_REQUIRED') return 'UNAUTHENTICATED';
  if (error.code === 'CAPABILITY_MISSING' || error.code === 'CONTEXT_UNSUPPORTED' || error.code === 'CROSS_SITE_REQUEST') return 'FORBIDDEN';
  return error.code;
}
