import { Injectable, Module, UseGuards, type CanActivate, type DynamicModule } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, CapabilityGuard, RequireCapability } from '../src';
import { BENCH_SECRET } from './apps';

/** The GraphQL app the benchmark runs: one process, the same query three times. */
export type GraphqlAppName = 'graphql-one-process';

export const BENCH_GRAPHQL_PATH = '/graphql';

/**
 * The three queries, with names of one length so that requests and answers differ by
 * no more than a letter: without a guard, behind a guard that returns true, behind ours.
 */
export const BENCH_GRAPHQL_QUERIES = { open: 'open', allowAll: 'pass', ours: 'ours' } as const;
const ITEMS = ['croissant', 'baguette', 'cannolo'];

/** The operation asking `field`, as sent, and the one answer it must get. */
export function graphqlExchange(field: string): { operation: string; body: string; answer: string } {
  const operation = `{ ${field} { items } }`;
  return { operation, body: JSON.stringify({ query: operation }), answer: JSON.stringify({ data: { [field]: { items: ITEMS } } }) };
}

@ObjectType()
class Bakery {
  @Field(() => [String])
  items!: string[];
}

const BAKERY: Bakery = { items: ITEMS };

/** A guard that lets everything through: what Nest's guard pipeline costs a resolver by itself. */
@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Resolver(() => Bakery)
class BakeryResolver {
  @Query(() => Bakery)
  open(): Bakery {
    return BAKERY;
  }

  @Query(() => Bakery)
  @UseGuards(AllowAllGuard)
  pass(): Bakery {
    return BAKERY;
  }

  @Query(() => Bakery)
  @UseGuards(CapabilityGuard)
  @RequireCapability('read')
  ours(): Bakery {
    return BAKERY;
  }
}

@Module({})
class BenchGraphqlModule {}

/**
 * The root module of the GraphQL app: Apollo on Express, Mercurius on Fastify; our guard
 * on its query only (not global), so that the open query has no guard at all.
 */
export function graphqlBenchModule(_name: GraphqlAppName, adapter: 'express' | 'fastify', capsFile: string, baseUrl: string): DynamicModule {
  const graphql =
    adapter === 'express'
      ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })
      : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true });
  return {
    module: BenchGraphqlModule,
    imports: [AuthModule.forRoot({ secret: BENCH_SECRET, baseUrl, capsFile, devLogin: true, production: false, globalGuard: false }), graphql],
    providers: [BakeryResolver],
  };
}
