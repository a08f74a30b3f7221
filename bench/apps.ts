import { Controller, Get, Injectable, Module, UseGuards, type CanActivate, type DynamicModule, type Type } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { AuthModule, CapabilityGuard, RequireCapability } from '../src';
import { hashApiKey, type ApiKeyRecord } from '../src/api-keys/api-key';
import { hashClientSecret, type ClientRecord } from '../src/clients/client';
import { JwtStrategy } from './recipe/jwt.strategy';
import { Roles } from './recipe/roles.decorator';
import { RolesGuard } from './recipe/roles.guard';

/** The apps the HTTP benchmark compares, one per child process. */
export type AppName = 'unguarded' | 'allow-all' | 'ours' | 'ours-redis' | 'recipe-key' | 'recipe-string' | 'one-process';

/** The secret every app signs with; a benchmark fixture, never a real one. */
export const BENCH_SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** The bench's caps.yaml: the user holds `moderate`, which implies `read` through a chain. */
export const BENCH_CAPS = `capabilities:
  read: []
  write: [read]
  moderate: [write]
  user_management: []
auto_admin: true
default: []
guest: []
users:
  reader@example.com: [moderate]
  bench@service: [moderate]
`;

export const BENCH_USER = 'reader@example.com';

/** The bench's API key: the same capability as the bench user, `moderate`. */
export function benchKeyRecord(key: string): ApiKeyRecord {
  const now = Math.floor(Date.now() / 1000);
  return { name: 'bench', hash: hashApiKey(key), capabilities: ['moderate'], expiresAt: now + 86400, createdBy: 'cli:bench', createdAt: now, note: '', revokedAt: null };
}
/** The OAuth client of the service account `bench@service` that the app serving `secret` knows, as the client file keeps it. */
export function benchClientRecord(clientId: string, secret: string): ClientRecord {
  return { clientId, account: 'bench@service', name: 'bench', hash: hashClientSecret(secret), createdBy: 'cli:bench', createdAt: Math.floor(Date.now() / 1000), revokedAt: null };
}

/** The one route every app serves. */
export const BENCH_PATH = '/items';

const ITEMS = { items: ['croissant', 'baguette', 'cannolo'] };

@Controller()
class UnguardedController {
  @Get('items')
  items(): typeof ITEMS {
    return ITEMS;
  }
}

/** A guard that lets everything through: what Nest's guard pipeline costs by itself. */
@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller()
@UseGuards(AllowAllGuard)
class AllowAllController {
  @Get('items')
  items(): typeof ITEMS {
    return ITEMS;
  }
}

@Controller()
class OursController {
  @Get('items')
  @RequireCapability('read')
  items(): typeof ITEMS {
    return ITEMS;
  }
}

@Controller()
@UseGuards(AuthGuard('jwt'), RolesGuard)
class RecipeController {
  @Get('items')
  @Roles('viewer')
  items(): typeof ITEMS {
    return ITEMS;
  }
}

/**
 * The routes of the one-process app: the same handler unguarded, behind a guard that
 * returns true, and behind ours, in one server process, so that what the guard adds is
 * not mixed with the differences between two processes (up to 10 % of CPU per request
 * on a shared machine, measured between two copies of the same app).
 */
export const ONE_PROCESS_PATHS = { open: '/items/open', allowAll: '/items/pass', ours: '/items/ours' } as const;

@Controller('items')
class OneProcessController {
  @Get('open')
  open(): typeof ITEMS {
    return ITEMS;
  }

  @Get('pass')
  @UseGuards(AllowAllGuard)
  pass(): typeof ITEMS {
    return ITEMS;
  }

  @Get('ours')
  @UseGuards(CapabilityGuard)
  @RequireCapability('read')
  ours(): typeof ITEMS {
    return ITEMS;
  }
}

@Module({})
class BenchAppModule {}

/** The root module of app `name`; `capsFile` and `baseUrl` are used by our module only. */
export function benchModule(name: AppName, capsFile: string, baseUrl: string): DynamicModule {
  switch (name) {
    case 'unguarded':
      return withControllers([UnguardedController]);
    case 'allow-all':
      return withControllers([AllowAllController]);
    case 'ours':
      return {
        ...withControllers([OursController]),
        imports: [AuthModule.forRoot({ secret: BENCH_SECRET, baseUrl, capsFile, devLogin: true, production: false })],
      };
    case 'one-process':
      // Our guard on its route only (not global), so that the open route has no guard at all.
      return {
        ...withControllers([OneProcessController]),
        imports: [AuthModule.forRoot({ secret: BENCH_SECRET, baseUrl, capsFile, devLogin: true, production: false, globalGuard: false })],
      };
    case 'ours-redis':
      // The same app on the Redis stores: accounts in Redis under the bench's own prefix.
      return {
        ...withControllers([OursController]),
        imports: [
          AuthModule.forRoot({
            secret: BENCH_SECRET,
            baseUrl,
            capsFile,
            devLogin: true,
            production: false,
            redis: { url: process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0', prefix: process.env['BENCH_REDIS_PREFIX'] ?? 'nest-capabilities-bench:' },
          }),
        ],
      };
    case 'recipe-key':
    case 'recipe-string': {
      const secret = name === 'recipe-key' ? createSecretKey(Buffer.from(BENCH_SECRET)) : BENCH_SECRET;
      return {
        ...withControllers([RecipeController]),
        imports: [PassportModule],
        providers: [{ provide: JwtStrategy, useFactory: () => new JwtStrategy(secret) }, RolesGuard],
      };
    }
  }
}

function withControllers(controllers: Type[]): DynamicModule {
  return { module: BenchAppModule, controllers };
}
