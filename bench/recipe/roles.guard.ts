import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES_KEY } from './roles.decorator';

/** Each role and the roles it includes directly, as the recipe's users usually write it. */
export const ROLE_HIERARCHY: Readonly<Record<string, readonly string[]>> = {
  admin: ['moderator'],
  moderator: ['editor'],
  editor: ['viewer'],
  viewer: [],
};

/**
 * The RolesGuard of the NestJS authorization docs, with the role hierarchy most
 * applications add: the user's roles are expanded over the hierarchy at each request.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const { user } = context.switchToHttp().getRequest<{ user?: { roles?: string[] } }>();
    const held = expandRoles(user?.roles ?? []);
    return required.some((role) => held.has(role));
  }
}

function expandRoles(roles: readonly string[]): Set<string> {
  const held = new Set<string>();
  const pending = [...roles];
  while (pending.length > 0) {
    const role = pending.pop()!;
    if (held.has(role)) continue;
    held.add(role);
    pending.push(...(ROLE_HIERARCHY[role] ?? []));
  }
  return held;
}
