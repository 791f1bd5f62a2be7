import type { SqlDriver, SqlQueryable } from './sql-driver.js'

/** One schema change: `statements` run in order, in the same transaction as the version row. */
export interface Migration {
  readonly version: number
  readonly statements: readonly string[]
}

/**
 * Brings `component`'s tables in `schema` up to the last of `migrations`, recording each applied
 * version in `"schema".migrations`. Safe when several processes start at once on an empty database:
 * everything runs in one transaction under `pg_advisory_xact_lock` keyed by the schema, so the
 * second process waits, then finds the migrations applied. Versions the database has beyond what
 * this code knows (a newer release already migrated it) are left alone. `after` runs under the same
 * lock, for settings that follow the opener's options.
 */
export async function migrate(
  driver: SqlDriver,
  schema: string,
  component: string,
  migrations: readonly Migration[],
  after?: (tx: SqlQueryable) => Promise<void>,
): Promise<void> {
  const quotedSchema = `"${schema}"`
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `passport-saml-multi-idp:${schema}`,
    ])
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`)
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${quotedSchema}.migrations (
        component text NOT NULL,
        version integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (component, version)
      )`,
    )
    const rows = await tx.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quotedSchema}.migrations WHERE component = $1`,
      [component],
    )
    const current = rows[0]?.version ?? 0
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue
      for (const statement of migration.statements) await tx.query(statement)
      await tx.query(`INSERT INTO ${quotedSchema}.migrations (component, version) VALUES ($1, $2)`, [
        component,
        migration.version,
      ])
    }
    await after?.(tx)
  })
}
