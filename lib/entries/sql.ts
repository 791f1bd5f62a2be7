// Entry point `passport-saml-multi-idp/sql`: the PostgreSQL IdP store (embedded PGlite or a real server)
// and the SQL request/replay cache (the same two back ends). Kept apart from the main entry so `pg` and
// `@electric-sql/pglite` stay optional peer dependencies.
export { SqlIdpStore } from '../store/sql/sql-idp-store.js'
export type { SqlIdpStoreOptions } from '../store/sql/sql-idp-store.js'
export { SqlSamlCache } from '../cache/sql-saml-cache.js'
export type { SqlSamlCacheOptions } from '../cache/sql-saml-cache.js'
export type { PGliteInstance, PgPool, SqlConnectionOptions } from '../sql/sql-driver.js'
export { SqlTraceStore } from '../traces/sql-trace-store.js'
