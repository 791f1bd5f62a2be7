import { SamlError } from '../../errors/saml-error.js'
import { migrate, type Migration } from '../../sql/migrate.js'
import { isUniqueViolation, type SqlDriver, type SqlQueryable } from '../../sql/sql-driver.js'

/**
 * The unique index on `idps.entity_id`, present unless `allowSharedEntityIds`. A separate index from
 * the plain one, so that setting can be switched by dropping or creating it alone.
 */
export const UNIQUE_ENTITY_ID_INDEX = 'idps_entity_id_unique'

/** The store's migrations (component `idp-store`), for the schema quoted for SQL. */
function idpStoreMigrations(quotedSchema: string): Migration[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE ${quotedSchema}.idps (
          id text COLLATE "C" PRIMARY KEY,
          entity_id text NOT NULL,
          record jsonb NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          updated_at timestamptz NOT NULL
        )`,
        `CREATE INDEX idps_entity_id_idx ON ${quotedSchema}.idps (entity_id)`,
        `CREATE TABLE ${quotedSchema}.idp_email_domains (
          domain text COLLATE "C" PRIMARY KEY CHECK (domain = lower(domain)),
          idp_id text COLLATE "C" NOT NULL REFERENCES ${quotedSchema}.idps (id) ON DELETE CASCADE
        )`,
        `CREATE INDEX idp_email_domains_idp_id_idx ON ${quotedSchema}.idp_email_domains (idp_id)`,
      ],
    },
    {
      // Where each IdP's metadata fetches stand, and which instance fetches it next: beside the
      // record, so a fetch that changes nothing does not bump the record's version.
      version: 2,
      statements: [
        `CREATE TABLE ${quotedSchema}.idp_metadata_status (
          idp_id text COLLATE "C" PRIMARY KEY REFERENCES ${quotedSchema}.idps (id) ON DELETE CASCADE,
          status jsonb,
          next_refresh_at timestamptz,
          lease_holder text,
          lease_until timestamptz
        )`,
      ],
    },
    {
      // Where each federation source's imports stand, and which instance imports it next.
      version: 3,
      statements: [
        `CREATE TABLE ${quotedSchema}.federation_status (
          source_id text COLLATE "C" PRIMARY KEY,
          status jsonb,
          next_refresh_at timestamptz,
          lease_holder text,
          lease_until timestamptz
        )`,
      ],
    },
    {
      // Records hold an IdP's metadata (~14 KB of JSON each): lz4 compresses them in half the time
      // of the default pglz (a 5,000-entity federation import spends most of its database time
      // there) and smaller. Only where the server has lz4 (PostgreSQL 14+ built with it; PGlite
      // has not): elsewhere nothing changes.
      version: 4,
      statements: [
        `DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
            EXECUTE 'ALTER TABLE ${quotedSchema}.idps ALTER COLUMN record SET COMPRESSION lz4';
          END IF;
        END $$`,
      ],
    },
  ]
}

/**
 * Creates or migrates the store's tables in `schema`, then, under the same advisory lock, makes the
 * unique entityID index match `allowSharedEntityIds`. Throws `ERR_SAML_IDP_CONFLICT` when the index
 * is wanted but records already share an entityID; database errors are thrown as the driver raised
 * them.
 */
export async function migrateIdpStore(
  driver: SqlDriver,
  schema: string,
  allowSharedEntityIds: boolean,
): Promise<void> {
  const quotedSchema = `"${schema}"`
  await migrate(driver, schema, 'idp-store', idpStoreMigrations(quotedSchema), async (tx) => {
    await matchEntityIdUniqueness(tx, schema, quotedSchema, allowSharedEntityIds)
  })
}

async function matchEntityIdUniqueness(
  tx: SqlQueryable,
  schema: string,
  quotedSchema: string,
  allowSharedEntityIds: boolean,
): Promise<void> {
  const found = await tx.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
    schema,
    UNIQUE_ENTITY_ID_INDEX,
  ])
  if (allowSharedEntityIds && found.length > 0) {
    await tx.query(`DROP INDEX ${quotedSchema}.${UNIQUE_ENTITY_ID_INDEX}`)
  } else if (!allowSharedEntityIds && found.length === 0) {
    try {
      await tx.query(`CREATE UNIQUE INDEX ${UNIQUE_ENTITY_ID_INDEX} ON ${quotedSchema}.idps (entity_id)`)
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
      throw new SamlError(
        `IdP store schema "${schema}" has several records with one entityID (${err.detail ?? 'see the idps table'}); open it with allowSharedEntityIds: true or give each record its own entityID`,
        'ERR_SAML_IDP_CONFLICT',
        { cause: err },
      )
    }
  }
}
