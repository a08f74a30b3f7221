import type { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner } from '@nestjs/core';

/**
 * The paths of the module's own routes (`/manage_capabilities/add`, `/link/:provider`,
 * ...), read from its controllers, so that a request can be told to be the module's
 * before Nest has routed it: a body the parser refused never reaches a route.
 *
 * @example
 * const routes = new ModuleRoutes([ManageCapabilitiesController]);
 * routes.matchesPath('/manage_capabilities/add'); // true
 */
export class ModuleRoutes {
  private readonly patterns: readonly RegExp[];

  constructor(controllers: readonly Type[]) {
    const scanner = new MetadataScanner();
    // The routes as registered with the HTTP server, `:name` for a parameter.
    const templates = new Set<string>();
    for (const controller of controllers) {
      const base = pathsOf(controller);
      for (const name of scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        for (const own of pathsOf(handler)) for (const prefix of base) templates.add(joined(prefix, own));
      }
    }
    this.patterns = [...templates].map(patternOf);
  }

  /**
   * Whether `path` (no query) asks for one of the module's routes, matched as Express
   * matches a route by default: letter case ignored, a trailing slash allowed.
   */
  matchesPath(path: string): boolean {
    return this.patterns.some((pattern) => pattern.test(path));
  }
}

function pathsOf(target: object): string[] {
  const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return Array.isArray(path) ? path : [path ?? '/'];
}

function joined(prefix: string, path: string): string {
  const parts = [prefix, path].flatMap((part) => part.split('/')).filter((part) => part !== '');
  return `/${parts.join('/')}`;
}

function patternOf(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}
