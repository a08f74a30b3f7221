import { Injectable, Module, UseGuards, type CanActivate, type DynamicModule } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, RequireCapability } from '../src';
import { BENCH_SECRET } from './apps';

/** The GraphQL apps the benchmark compares: the same query unguarded, behind a guard that returns true, and behind ours. */
export type GraphqlAppName = 'graphql-unguarded' | 'graphql-allow-all' | 'graphql-ours';

/** The one operation every GraphQL app serves, and its answer. */
export const BENCH_GRAPHQL_PATH = '/graphql';
export const BENCH_GRAPHQL_OPERATION = '{ bakery { items } }';
export const BENCH_GRAPHQL_QUERY = JSON.stringify({ query: BENCH_GRAPHQL_OPERATION });
export const BENCH_GRAPHQL_ANSWER = JSON.stringify({ data: { bakery: { items: ['croissant', 'baguette', 'cannolo'] } } });

@ObjectType()
class Bakery {
  @Field(() => [String])
  items!: string[];
}

const BAKERY: Bakery = { items: ['croissant', 'baguette', 'cannolo'] };

@Resolver(() => Bakery)
class UnguardedResolver {
  @Query(() => Bakery)
  bakery(): Bakery {
    return BAKERY;
  }
}

/** A guard that lets everything through: what Nest's guard pipeline costs a resolver by itself. */
@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Resolver(() => Bakery)
@UseGuards(AllowAllGuard)
class AllowAllResolver {
  @Query(() => Bakery)
  bakery(): Bakery {
    return BAKERY;
  }
}

@Resolver(() => Bakery)
class OursResolver {
  @Query(() => Bakery)
  @RequireCapability('read')
  bakery(): Bakery {
    return BAKERY;
  }
}

@Module({})
class BenchGraphqlModule {}

/** The root module of GraphQL app `name`: Apollo on Express, Mercurius on Fastify. */
export function graphqlBenchModule(name: GraphqlAppName, adapter: 'express' | 'fastify', capsFile: string, baseUrl: string): DynamicModule {
  const graphql =
    adapter === 'express'
      ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })
      : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true });
  switch (name) {
    case 'graphql-unguarded':
      return { module: BenchGraphqlModule, imports: [graphql], providers: [UnguardedResolver] };
    case 'graphql-allow-all':
      return { module: BenchGraphqlModule, imports: [graphql], providers: [AllowAllResolver] };
    case 'graphql-ours':
      return {
        module: BenchGraphqlModule,
        imports: [AuthModule.forRoot({ secret: BENCH_SECRET, baseUrl, capsFile, devLogin: true, production: false }), graphql],
        providers: [OursResolver],
      };
  }
}
