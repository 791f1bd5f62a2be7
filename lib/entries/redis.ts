// Entry point `passport-saml-multi-idp/redis`: the Redis request/replay cache. Kept apart from the main
// entry so `ioredis` stays an optional peer dependency.
export { RedisSamlCache } from '../cache/redis-saml-cache.js'
export type {
  RedisSamlCacheClient,
  RedisSamlCacheCommonOptions,
  RedisSamlCacheConnectOptions,
  RedisSamlCacheOptions,
} from '../cache/redis-saml-cache.js'
