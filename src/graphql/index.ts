// `nest-capabilities/graphql`: what a GraphQL application adds to its GraphQL module options.
// Kept apart from the main entry point, whose users may have no GraphQL package installed.
export { guardedApolloSubscriptions, guardedMercuriusSubscriptions } from './guarded-subscriptions';
export type { GuardedApolloSubscriptions, GuardedMercuriusSubscriptions, MercuriusSubscriptionHooks } from './guarded-subscriptions';
