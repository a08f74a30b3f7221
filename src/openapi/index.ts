// The OpenAPI entry point (`nest-capabilities/openapi`): the only place that imports @nestjs/swagger.
export { createCapabilitiesDocument } from './capabilities-openapi';
export { BEARER_SCHEME, SESSION_SCHEME } from './security-schemes';
export { MODULE_TAG } from './module-routes.openapi';
