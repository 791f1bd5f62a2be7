// Entry point `passport-saml-multi-idp/sql`: the PostgreSQL IdP store (embedded PGlite or a real server)
// and the PostgreSQL request/replay cache. Kept apart from the main entry so `pg` and
// `@electric-sql/pglite` stay optional peer dependencies.
export { SqlIdpStore } from './store/sql/sql-idp-store.js'
export type { SqlIdpStoreOptions } from './store/sql/sql-idp-store.js'
export { PostgresSamlCache } from './cache/postgres-saml-cache.js'
export type { PostgresSamlCacheOptions } from './cache/postgres-saml-cache.js'
export type { SqlConnectionOptions } from './store/sql/sql-driver.js'
