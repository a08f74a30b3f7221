import type { DynamicModule } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { guardedApolloSubscriptions, guardedMercuriusSubscriptions } from '../src/graphql';

/**
 * `POST /graphql` with a code-first schema built in memory (nothing written to disk), and
 * guarded subscriptions over graphql-ws on the same path: Apollo on Express, Mercurius on
 * Fastify. No in-browser IDE, so both adapters answer alike and the example serves no page
 * loaded from a third-party CDN. Apollo's stack traces stay out of the answers: they name
 * the server's files.
 */
export function graphQlModule(adapter: 'express' | 'fastify'): DynamicModule {
  if (adapter === 'fastify') return GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, graphiql: false, ...guardedMercuriusSubscriptions() });
  return GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, playground: false, includeStacktraceInErrorResponses: false, ...guardedApolloSubscriptions() });
}
