import type { ApiResponseOptions, OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

/** The module's error body, as every denial and refusal answers it. */
function errorBodySchema(status: number): SchemaObject {
  return {
    type: 'object',
    required: ['statusCode', 'message', 'code'],
    properties: {
      statusCode: { type: 'integer', example: status },
      message: { type: 'string', description: 'what went wrong; a denial names the missing capability' },
      code: { type: 'string', description: 'a stable name, e.g. SIGN_IN_REQUIRED, CAPABILITY_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED' },
    },
  };
}

/** An error answer of `status`, documented with the module's error body. */
export function errorResponse(status: number, description: string): ApiResponseOptions {
  return { status, description, content: { 'application/json': { schema: errorBodySchema(status) } } };
}

/** 401 and 403 of a route that needs `capabilities` (`where`, for a scoped route: at which scope), and 400 of a scoped one. */
export function denialResponses(capabilities: readonly string[], where?: string): ApiResponseOptions[] {
  const names = `${capabilities.map((name) => `"${name}"`).join(', ')}${where === undefined ? '' : ` ${where}`}`;
  return [
    ...(where === undefined ? [] : [errorResponse(400, 'a scope placeholder is not a valid scope id (SCOPE_INVALID)')]),
    errorResponse(401, `nobody is signed in (SIGN_IN_REQUIRED), or the bearer token is invalid, expired or revoked (TOKEN_*); needs ${names}`),
    errorResponse(403, `the caller lacks ${names} (CAPABILITY_MISSING${where === undefined ? '' : '; the body also names the "scope"'})`),
  ];
}
