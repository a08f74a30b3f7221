import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ConfigError } from '../errors';
import type { CapabilityStore } from '../stores/capability-store';
import { CAPABILITY_STORE, REQUIRED_CAPABILITIES } from './auth.constants';

/**
 * At start-up, checks that every `@RequireCapability` names a capability of the
 * graph, so a typo stops the application instead of locking a route for everyone.
 * A capability removed from the file later only denies (and is logged).
 */
@Injectable()
export class RequirementsAudit implements OnApplicationBootstrap {
  private readonly logger = new Logger('nest-capabilities');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
  ) {}

  onApplicationBootstrap(): void {
    const problems = this.unknownRequirements(this.store.current().graph.has.bind(this.store.current().graph));
    if (problems.length > 0) throw new ConfigError(`@RequireCapability names capabilities the graph does not define: ${problems.join('; ')}`);
    this.store.subscribe((policy) => {
      const later = this.unknownRequirements((name) => policy.graph.has(name));
      if (later.length > 0) this.logger.warn(`routes now require undefined capabilities and deny everyone: ${later.join('; ')}`);
    });
  }

  private unknownRequirements(defined: (name: string) => boolean): string[] {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (controller === undefined || controller === null) continue;
      const check = (target: object, where: string): void => {
        const names = this.reflector.get<readonly string[] | undefined>(REQUIRED_CAPABILITIES, target as () => void) ?? [];
        for (const name of names) if (!defined(name)) problems.push(`"${name}" on ${where}`);
      };
      check(controller, controller.name);
      for (const method of this.scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[method];
        if (typeof handler === 'function') check(handler, `${controller.name}.${method}`);
      }
    }
    return problems;
  }
}
