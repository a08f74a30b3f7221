import { Args, Field, Mutation, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CapabilityService, CurrentUser, Public, RequireCapability, type Principal } from '../src';
import { BakeryService, type Bake } from './bakery.service';

/** The caller, as `GET /whoami` shows it. */
@ObjectType()
export class Whoami {
  @Field(() => String, { nullable: true, description: 'the signed-in email, or null for a guest' })
  readonly user: string | null;

  @Field(() => [String], { description: 'the effective capabilities, implications expanded, sorted' })
  readonly capabilities: readonly string[];

  constructor(user: string | null, capabilities: readonly string[]) {
    this.user = user;
    this.capabilities = capabilities;
  }
}

/** A bake as GraphQL tells it: `"rye, baked by baker@example.com"`. */
function describeBake(bake: Bake): string {
  return `${bake.baked}, baked by ${bake.by}`;
}

/** The bakery over `POST /graphql` and graphql-ws: the same guard, principal and rules as its HTTP routes. */
@Resolver()
export class BakeryResolver {
  constructor(
    private readonly bakery: BakeryService,
    private readonly capabilities: CapabilityService,
  ) {}

  @Query(() => [String], { description: 'needs read' })
  @RequireCapability('read')
  menu(): string[] {
    return this.bakery.menu();
  }

  @Mutation(() => String, { description: 'needs bake' })
  @RequireCapability('bake')
  bake(@CurrentUser() user: Principal, @Args('food') food: string): string {
    return describeBake(this.bakery.bake(food, user));
  }

  @Query(() => [String], { description: 'needs read at shop:{shop}' })
  @RequireCapability('read', { scope: 'shop:{shop}' })
  shopMenu(@Args('shop') _shop: string): string[] {
    return this.bakery.menu();
  }

  @Mutation(() => String, { description: 'needs bake at shop:{shop}' })
  @RequireCapability('bake', { scope: 'shop:{shop}' })
  bakeAt(@CurrentUser() user: Principal, @Args('shop') _shop: string, @Args('food') food: string): string {
    return describeBake(this.bakery.bake(food, user));
  }

  /** Over graphql-ws at `/graphql`: the capability is checked again before every event. */
  @Subscription(() => String, { description: 'needs read: every bake from now on, through any transport', resolve: describeBake })
  @RequireCapability('read')
  baked(): AsyncIterableIterator<Bake> {
    return this.bakery.watchBakes();
  }

  @Query(() => Whoami, { description: 'public' })
  @Public()
  whoami(@CurrentUser() user: Principal | null): Whoami {
    return new Whoami(user?.email ?? null, this.capabilities.effective(user));
  }
}
