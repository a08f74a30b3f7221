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

function graphQlCode(error: CapabilitiesError): string {
  if (error instanceof TokenError || error.code === 'SIGN_IN_REQUIRED') return 'UNAUTHENTICATED';
  if (error.code === 'CAPABILITY_MISSING' || error.code === 'CONTEXT_UNSUPPORTED' || error.code === 'CROSS_SITE_REQUEST') return 'FORBIDDEN';
  return error.code;
}
