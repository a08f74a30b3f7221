import { SetMetadata } from '@nestjs/common';

/** The docs recipe's `@Roles()`: metadata read by `RolesGuard`. */
export const ROLES_KEY = 'roles';
export const Roles = (...roles: string[]): ClassDecorator & MethodDecorator => SetMetadata(ROLES_KEY, roles);
