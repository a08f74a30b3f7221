import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  ApiExtension,
  ApiResponse,
  SwaggerModule,
  type OpenAPIObject,
  type SwaggerDocumentOptions,
} from '@nestjs/swagger';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { RouteRequirements, type RouteRequirement } from '../nest/route-requirements';
import type { CompiledScope } from '../nest/scope-template';
import { denialResponses } from './error-responses';
import { documentModuleRoute } from './module-routes.openapi';
import { BEARER_SCHEME, SESSION_SCHEME, securedBy, type Decorate } from './security-schemes';

// A handler is described once, however many documents are made.
const described = new WeakSet<object>();

/**
 * The OpenAPI document of `app` (through `@nestjs/swagger`), with every route that
 * carries `@RequireCapability` marked with the bearer and session security schemes,
 * its 401 and 403 answers, and `x-required-capabilities`; and the module's own
 * routes described. Import it from `nest-capabilities/openapi`: the main entry never
 * loads `@nestjs/swagger`, so applications without it are unaffected.
 *
 * @example
 * const config = new DocumentBuilder().setTitle('Bakery').build();
 * SwaggerModule.setup('docs', app, createCapabilitiesDocument(app, config));
 */
export function createCapabilitiesDocument(
  app: INestApplication,
  config: Omit<OpenAPIObject, 'paths'>,
  options?: SwaggerDocumentOptions,
): OpenAPIObject {
  describeRoutes(app);
  const document = SwaggerModule.createDocument(app, config, options);
  const sessionName = app.get<AuthConfig>(AUTH_CONFIG, { strict: false }).cookies.sessionName;
  document.components = {
    ...document.components,
    securitySchemes: {
      ...document.components?.securitySchemes,
      [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'a token from GET /token (or a service token)' },
      [SESSION_SCHEME]: { type: 'apiKey', in: 'cookie', name: sessionName, description: 'the session cookie set at sign-in' },
    },
  };
  return document;
}

/** Puts the swagger metadata on every handler of the application, from its capability decorators. */
function describeRoutes(app: INestApplication): void {
  const discovery = app.get(DiscoveryService, { strict: false });
  const scanner = app.get(MetadataScanner, { strict: false });
  const requirements = app.get(RouteRequirements, { strict: false });
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null | undefined;
    if (controller === undefined || controller === null) continue;
    const prototype = controller.prototype as object;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const descriptor = descriptorOf(prototype, method);
      const handler: unknown = descriptor?.value;
      if (descriptor === undefined || typeof handler !== 'function' || described.has(handler)) continue;
      described.add(handler);
      const decorators = documentModuleRoute(controller, method) ?? guardedRoute(requirements.of(handler, controller));
      for (const decorate of decorators) decorate(prototype, method, descriptor);
    }
  }
}

function guardedRoute(requirement: Pick<RouteRequirement, 'isPublic' | 'capabilities' | 'scope'>): Decorate[] {
  if (requirement.isPublic || requirement.capabilities.length === 0) return [];
  const where = scopeDescription(requirement.scope);
  return [
    ...securedBy(),
    ApiExtension('x-required-capabilities', requiredCapabilities(requirement.capabilities, requirement.scope)),
    ...denialResponses(requirement.capabilities, where).map((response) => ApiResponse(response)),
  ];
}

/**
 * `x-required-capabilities`: the names, as ever, for a global requirement; for a scoped one
 * an object per name, `{"capability": "bake", "scope": "shop:{shop}"}` with the template
 * (its placeholders are the operation's path parameters), or `{"capability": "bake",
 * "scopeFromContext": true}` where the application computes the scope.
 */
function requiredCapabilities(capabilities: readonly string[], scope: CompiledScope | null): unknown[] {
  if (scope === null) return [...capabilities];
  return capabilities.map((capability) => (typeof scope === 'function' ? { capability, scopeFromContext: true } : { capability, scope: scope.source }));
}

function scopeDescription(scope: CompiledScope | null): string | undefined {
  if (scope === null) return undefined;
  return typeof scope === 'function' ? 'at the scope the application computes for the request' : `at scope ${scope.source}`;
}

/** The method's descriptor, wherever on the prototype chain it is defined (prefixed controllers are subclasses). */
function descriptorOf(prototype: object, method: string): PropertyDescriptor | undefined {
  for (let current: object | null = prototype; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(current, method);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}
