import { PATH_METADATA } from '@nestjs/common/constants';
import type { HandlerKind } from './handler-kind';
import type { ScopeTemplate } from './scope-template';

/** `PARAM_ARGS_METADATA` of @nestjs/graphql and its `GqlParamtype.ARGS`, spelled out: that package is optional. */
const GRAPHQL_PARAM_ARGS = '__routeArguments__';
const GRAPHQL_ARGS = 3;

/** Where a handler's routes are mounted: the module's path (`RouterModule`) and the application's global prefix. */
export interface RouteMount {
  readonly modulePath: string | undefined;
  readonly globalPrefix: string;
}

/**
 * Why `template` cannot be filled for the handler `method` (named `name`) of `owner`, or
 * undefined when it can: on an HTTP route, a placeholder that is not a parameter of every
 * path the handler answers at; on a resolver, one that is not a named argument (a resolver
 * that takes its arguments as one object may use any name, and a missing one is refused
 * at call time); on a gateway any name fills from the message.
 *
 * @example
 * placeholderProblem(compileScopeTemplate('shop:{shop}'), 'route', BakeryController, bake, 'bake', mount);
 */
export function placeholderProblem(template: ScopeTemplate, kind: HandlerKind, owner: object, method: object, name: string, mount: RouteMount): string | undefined {
  if (kind === 'route') return routePlaceholderProblem(template, owner, method, mount);
  if (kind === 'resolver' || kind === 'subscription' || kind === 'field-resolver') return argumentPlaceholderProblem(template, owner, name);
  return undefined;
}

function routePlaceholderProblem(template: ScopeTemplate, owner: object, method: object, mount: RouteMount): string | undefined {
  for (const path of routePaths(owner, method, mount)) {
    const parameters = parametersOf(path);
    const missing = template.names.filter((placeholder) => !parameters.has(placeholder));
    if (missing.length > 0) return `the placeholder ${missing.map((placeholder) => `{${placeholder}}`).join(', ')} of scope "${template.source}" is not a route parameter of "${path}"`;
  }
  return undefined;
}

function argumentPlaceholderProblem(template: ScopeTemplate, owner: object, name: string): string | undefined {
  const declared = Reflect.getMetadata(GRAPHQL_PARAM_ARGS, owner, name) as Record<string, { readonly data?: unknown }> | undefined;
  const argumentNames = new Set<string>();
  for (const [key, parameter] of Object.entries(declared ?? {})) {
    if (!key.startsWith(`${GRAPHQL_ARGS}:`)) continue;
    // @Args() with no name hands the resolver every argument: the names live in an args class.
    if (typeof parameter.data !== 'string') return undefined;
    argumentNames.add(parameter.data);
  }
  const missing = template.names.filter((placeholder) => !argumentNames.has(placeholder));
  if (missing.length === 0) return undefined;
  return `the placeholder ${missing.map((placeholder) => `{${placeholder}}`).join(', ')} of scope "${template.source}" is not an @Args() argument of the resolver`;
}

/** Every full path the handler answers at: global prefix, module path, controller path, method path. */
function routePaths(owner: object, method: object, mount: RouteMount): string[] {
  const controllerPaths = pathsIn(Reflect.getMetadata(PATH_METADATA, owner));
  const methodPaths = pathsIn(Reflect.getMetadata(PATH_METADATA, method));
  const paths: string[] = [];
  for (const controllerPath of controllerPaths) {
    for (const methodPath of methodPaths) {
      const joined = [mount.globalPrefix, mount.modulePath ?? '', controllerPath, methodPath].map((part) => part.replace(/^\/+|\/+$/g, '')).filter((part) => part !== '');
      paths.push(`/${joined.join('/')}`);
    }
  }
  return paths;
}

function pathsIn(metadata: unknown): string[] {
  if (typeof metadata === 'string') return [metadata];
  if (Array.isArray(metadata) && metadata.length > 0) return metadata.filter((path): path is string => typeof path === 'string');
  return ['/'];
}

/** The parameter names of a route path (`:name`, also `:name?` and `{/:name}`). */
function parametersOf(path: string): Set<string> {
  return new Set([...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!));
}
