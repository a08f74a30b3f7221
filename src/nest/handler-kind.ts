import { CONTROLLER_WATERMARK, GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants';

/**
 * What kind of handler a method is, read from the metadata keys of the Nest packages
 * that declare handlers. The keys are spelled out rather than imported: GraphQL,
 * WebSockets and microservices are optional packages an application may not have.
 */
export type HandlerKind = 'route' | 'resolver' | 'subscription' | 'field-resolver' | 'gateway' | 'rpc' | 'none';

const RPC_PATTERN = 'microservices:pattern';
const RESOLVER_TYPE = 'graphql:resolver_type';
const SUBSCRIPTION = 'Subscription';
const RESOLVE_FIELD = 'graphql:resolve_property';
const RESOLVE_REFERENCE = 'graphql:resolve_reference';
const MESSAGE_MAPPING = 'websockets:message_mapping';
const GATEWAY = 'websockets:is_gateway';

/** The kind of `method` of `owner`; `none` for a method nothing routes to. */
export function handlerKind(owner: object, method: object, isController: boolean): HandlerKind {
  if (Reflect.hasMetadata(RPC_PATTERN, method)) return 'rpc';
  if (Reflect.hasMetadata(MESSAGE_MAPPING, method) && Reflect.hasMetadata(GATEWAY, owner)) return 'gateway';
  if (Reflect.hasMetadata(RESOLVE_FIELD, method) || Reflect.hasMetadata(RESOLVE_REFERENCE, method)) return 'field-resolver';
  if (Reflect.hasMetadata(RESOLVER_TYPE, method) && Reflect.hasMetadata(RESOLVER_TYPE, owner)) {
    return Reflect.getMetadata(RESOLVER_TYPE, method) === SUBSCRIPTION ? 'subscription' : 'resolver';
  }
  if ((isController || Reflect.hasMetadata(CONTROLLER_WATERMARK, owner)) && Reflect.hasMetadata(PATH_METADATA, method)) return 'route';
  return 'none';
}

/** Whether `@UseGuards` on the method or its class names `guard` (or a subclass of it). */
export function usesGuard(owner: object, method: object, guard: abstract new (...args: never[]) => object): boolean {
  const listed = [
    ...((Reflect.getMetadata(GUARDS_METADATA, method) as unknown[] | undefined) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, owner) as unknown[] | undefined) ?? []),
  ];
  return listed.some((entry) => entry === guard || entry instanceof guard || (typeof entry === 'function' && entry.prototype instanceof guard));
}
