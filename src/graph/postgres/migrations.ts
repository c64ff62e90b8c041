import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Ids sort bytewise (COLLATE "C") as in SQLite, so cursors page alike on both backends and the primary key serves
 * ORDER BY id. The attribute index is keyed by md5(value_ci): a B-tree entry cannot exceed about 2.7 kB, and an
 * indexed attribute may hold any string.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'settings, systems of record, push tokens, nodes and the attribute index',
    sql: `
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE systems_of_record (
        id text COLLATE "C" PRIMARY KEY,
        display_name text NOT NULL,
        description text,
        push_type text NOT NULL,
        delivery_method text NOT NULL,
        template_yaml text NOT NULL,
        verification jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE push_tokens (
        id text COLLATE "C" PRIMARY KEY,
        sor_id text COLLATE "C" NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        hash text NOT NULL,
        description text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE INDEX push_tokens_sor ON push_tokens (sor_id);
      CREATE TABLE nodes (
        sor_id text COLLATE "C" NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        entity text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        parent_entity text COLLATE "C",
        parent_id text COLLATE "C",
        attributes jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_event_id text,
        PRIMARY KEY (sor_id, entity, id)
      );
      CREATE INDEX nodes_parent ON nodes (sor_id, parent_entity, parent_id) WHERE parent_id IS NOT NULL;
      CREATE TABLE node_attribute_index (
        sor_id text COLLATE "C" NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        entity text COLLATE "C" NOT NULL,
        attribute text COLLATE "C" NOT NULL,
        value text NOT NULL,
        value_ci text NOT NULL,
        node_id text COLLATE "C" NOT NULL
      );
      -- One index serves both lookups (exact ones also compare value), saving an index write per row.
      CREATE INDEX node_attribute_index_value ON node_attribute_index (sor_id, entity, attribute, md5(value_ci));
      CREATE INDEX node_attribute_index_node ON node_attribute_index (sor_id, entity, node_id);
    `,
  },
  {
    version: 2,
    description: 'the event log, which is also the durable inbox of accepted SETs; node source documents',
    sql: `
      CREATE TABLE push_events (
        sequence bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        sor_id text NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        received_at timestamptz NOT NULL,
        protocol text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        remote_address text,
        authentication jsonb NOT NULL,
        status text NOT NULL,
        http_status integer NOT NULL,
        error_code text,
        error_description text,
        event_type text,
        subject text,
        jti text,
        dedup_key text,
        raw text,
        decoded jsonb,
        extracted jsonb,
        operations jsonb,
        applied_at timestamptz,
        attempts integer NOT NULL DEFAULT 0
      );
      -- A redelivered SET (same jti for the same SoR) is recognised by this constraint; NULLs never collide.
      CREATE UNIQUE INDEX push_events_dedup ON push_events (sor_id, dedup_key);
      CREATE INDEX push_events_log ON push_events (sor_id, sequence);
      CREATE INDEX push_events_pending ON push_events (sequence) WHERE status = 'accepted';
      CREATE INDEX push_events_received ON push_events (received_at);
      ALTER TABLE nodes ADD COLUMN source_document jsonb;
      ALTER TABLE nodes ADD COLUMN changed_upstream_at timestamptz;
    `,
  },
  {
    version: 4,
    description: 'SCIM 2.0 resources and group members, the source of truth for SCIM reads',
    sql: `
      CREATE TABLE scim_resources (
        sor_id text COLLATE "C" NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        resource_type text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        external_id text COLLATE "C",
        name text NOT NULL,
        name_ci text COLLATE "C" NOT NULL,
        document jsonb NOT NULL,
        version bigint NOT NULL,
        created_at timestamptz NOT NULL,
        modified_at timestamptz NOT NULL,
        PRIMARY KEY (sor_id, resource_type, id)
      );
      -- userName (Users) and displayName (Groups) are unique without regard to case: 409 uniqueness.
      CREATE UNIQUE INDEX scim_resources_name ON scim_resources (sor_id, resource_type, name_ci);
      CREATE INDEX scim_resources_external_id ON scim_resources (sor_id, resource_type, external_id)
        WHERE external_id IS NOT NULL;
      -- One row per member, so adding or removing one costs the same in a group of 10 or of 200,000.
      CREATE TABLE scim_group_members (
        sor_id text COLLATE "C" NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        group_id text COLLATE "C" NOT NULL,
        value text COLLATE "C" NOT NULL,
        display text,
        type text,
        ref text,
        PRIMARY KEY (sor_id, group_id, value)
      );
      CREATE INDEX scim_group_members_value ON scim_group_members (sor_id, value);
    `,
  },
  {
    version: 5,
    description: 'an index of the nodes each logged event touched, for node histories',
    sql: `
      CREATE INDEX push_events_operations ON push_events USING gin (operations jsonb_path_ops);
    `,
  },
  {
    version: 6,
    description: 'per-SoR options (SCIM schema checks); notes on logged requests (what was relaxed)',
    sql: `
      ALTER TABLE systems_of_record ADD COLUMN options jsonb;
      ALTER TABLE push_events ADD COLUMN notes jsonb;
    `,
  },
  {
    version: 7,
    description: "each SoR's attribute index plan, and the index builds a template change started",
    sql: `
      ALTER TABLE systems_of_record ADD COLUMN indexed_attributes jsonb;
      ALTER TABLE systems_of_record ADD COLUMN index_builds jsonb;
    `,
  },
  {
    version: 8,
    description: 'the nodes of SET SoRs by the subject (sub_id.uri) that built them, where their id is not its sub_id.id',
    sql: `
      -- How an event without data (a delete, an activate) finds a node whose uniqueId comes from the data. Partial:
      -- nodes keyed by sub_id.id, the usual template, are found by that id and get no entry here (their writes
      -- still evaluate the WHERE: on SQLite ~6 µs per source document written).
      CREATE INDEX nodes_subject ON nodes (sor_id, entity, (source_document -> 'sub_id' ->> 'uri'))
        WHERE source_document IS NOT NULL AND id IS DISTINCT FROM (source_document -> 'sub_id' ->> 'id');
    `,
  },
];

/**
 * Applies pending migrations in one transaction under an advisory lock keyed by the schema, so instances
 * starting together take turns and the later ones find nothing left to do.
 */
export async function migrate(client: PoolClient, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('pushgraph.migrate.' || $1))", [schema ?? '']);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)',
    );
    const applied = new Set(await appliedMigrations(client));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [migration.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export async function appliedMigrations(client: PoolClient): Promise<number[]> {
  const result = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return result.rows.map((row) => row.version);
}

/** Schema names are validated before use, since search_path and DDL cannot take them as parameters. */
export function assertSchemaName(schema: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
