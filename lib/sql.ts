// Entry point `passport-saml-multi-idp/sql`: the PostgreSQL IdP store (embedded PGlite or a real server)
// and the PostgreSQL request/replay cache. Kept apart from the main entry so `pg` and
// `@electric-sql/pglite` stay optional peer dependencies.
export {}
