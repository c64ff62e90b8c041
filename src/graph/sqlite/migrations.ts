import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'settings, systems of record, push tokens, nodes and the attribute index',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE systems_of_record (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        description TEXT,
        push_type TEXT NOT NULL,
        delivery_method TEXT NOT NULL,
        template_yaml TEXT NOT NULL,
        verification TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE push_tokens (
        id TEXT PRIMARY KEY,
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX push_tokens_sor ON push_tokens (sor_id);
      CREATE TABLE nodes (
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_entity TEXT,
        parent_id TEXT,
        attributes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_event_id TEXT,
        PRIMARY KEY (sor_id, entity, id)
      );
      -- Partial: top-level nodes, the bulk of a graph, never need this index.
      CREATE INDEX nodes_parent ON nodes (sor_id, parent_entity, parent_id) WHERE parent_id IS NOT NULL;
      CREATE TABLE node_attribute_index (
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        attribute TEXT NOT NULL,
        value TEXT NOT NULL,
        value_ci TEXT NOT NULL,
        node_id TEXT NOT NULL,
        -- Clustered by node, so rewriting a node's rows touches one place.
        PRIMARY KEY (sor_id, entity, node_id, attribute, value)
      ) WITHOUT ROWID;
      -- One index serves both lookups (exact ones also compare value), saving a B-tree write per index row.
      CREATE INDEX node_attribute_index_value ON node_attribute_index (sor_id, entity, attribute, value_ci, value);
    `,
  },
  {
    version: 2,
    description: 'the event log, which is also the durable inbox of accepted SETs; node source documents',
    sql: `
      CREATE TABLE push_events (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        received_at TEXT NOT NULL,
        protocol TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        remote_address TEXT,
        authentication TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER NOT NULL,
        error_code TEXT,
        error_description TEXT,
        event_type TEXT,
        subject TEXT,
        jti TEXT,
        dedup_key TEXT,
        raw TEXT,
        decoded TEXT,
        extracted TEXT,
        operations TEXT,
        applied_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      -- A redelivered SET (same jti for the same SoR) is recognised by this constraint; NULLs never collide.
      CREATE UNIQUE INDEX push_events_dedup ON push_events (sor_id, dedup_key);
      CREATE INDEX push_events_log ON push_events (sor_id, sequence);
      CREATE INDEX push_events_pending ON push_events (sequence) WHERE status = 'accepted';
      CREATE INDEX push_events_received ON push_events (received_at);
      ALTER TABLE nodes ADD COLUMN source_document TEXT;
      ALTER TABLE nodes ADD COLUMN changed_upstream_at TEXT;
    `,
  },
  {
    version: 4,
    description: 'SCIM 2.0 resources and group members, the source of truth for SCIM reads',
    sql: `
      CREATE TABLE scim_resources (
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL,
        id TEXT NOT NULL,
        external_id TEXT,
        name TEXT NOT NULL,
        name_ci TEXT NOT NULL,
        document TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        PRIMARY KEY (sor_id, resource_type, id)
      );
      -- userName (Users) and displayName (Groups) are unique without regard to case: 409 uniqueness.
      CREATE UNIQUE INDEX scim_resources_name ON scim_resources (sor_id, resource_type, name_ci);
      CREATE INDEX scim_resources_external_id ON scim_resources (sor_id, resource_type, external_id)
        WHERE external_id IS NOT NULL;
      -- One row per member, so adding or removing one costs the same in a group of 10 or of 200,000.
      CREATE TABLE scim_group_members (
        sor_id TEXT NOT NULL REFERENCES systems_of_record (id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        value TEXT NOT NULL,
        display TEXT,
        type TEXT,
        ref TEXT,
        PRIMARY KEY (sor_id, group_id, value)
      ) WITHOUT ROWID;
      CREATE INDEX scim_group_members_value ON scim_group_members (sor_id, value);
    `,
  },
  {
    version: 5,
    description: 'the nodes each logged event touched, for node histories',
    sql: `
      -- Kept by triggers from push_events.operations, so no writer needs to know about it.
      CREATE TABLE push_event_nodes (
        sor_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        node_id TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        PRIMARY KEY (sor_id, entity, node_id, sequence)
      ) WITHOUT ROWID;
      CREATE INDEX push_event_nodes_sequence ON push_event_nodes (sequence);
      CREATE TRIGGER push_event_nodes_insert AFTER INSERT ON push_events WHEN NEW.operations IS NOT NULL BEGIN
        INSERT OR IGNORE INTO push_event_nodes (sor_id, entity, node_id, sequence)
          SELECT NEW.sor_id, json_extract(o.value, '$.entity'), json_extract(o.value, '$.id'), NEW.sequence
          FROM json_each(NEW.operations) o
          WHERE json_extract(o.value, '$.entity') IS NOT NULL AND json_extract(o.value, '$.id') IS NOT NULL;
      END;
      CREATE TRIGGER push_event_nodes_update AFTER UPDATE OF operations ON push_events BEGIN
        DELETE FROM push_event_nodes WHERE sequence = NEW.sequence;
        INSERT OR IGNORE INTO push_event_nodes (sor_id, entity, node_id, sequence)
          SELECT NEW.sor_id, json_extract(o.value, '$.entity'), json_extract(o.value, '$.id'), NEW.sequence
          FROM json_each(NEW.operations) o
          WHERE json_extract(o.value, '$.entity') IS NOT NULL AND json_extract(o.value, '$.id') IS NOT NULL;
      END;
      CREATE TRIGGER push_event_nodes_delete AFTER DELETE ON push_events BEGIN
        DELETE FROM push_event_nodes WHERE sequence = OLD.sequence;
      END;
      INSERT OR IGNORE INTO push_event_nodes (sor_id, entity, node_id, sequence)
        SELECT e.sor_id, json_extract(o.value, '$.entity'), json_extract(o.value, '$.id'), e.sequence
        FROM push_events e, json_each(e.operations) o
        WHERE e.operations IS NOT NULL
          AND json_extract(o.value, '$.entity') IS NOT NULL AND json_extract(o.value, '$.id') IS NOT NULL;
    `,
  },
  {
    version: 6,
    description: 'per-SoR options (SCIM schema checks); notes on logged requests (what was relaxed)',
    sql: `
      ALTER TABLE systems_of_record ADD COLUMN options TEXT;
      ALTER TABLE push_events ADD COLUMN notes TEXT;
    `,
  },
  {
    version: 7,
    description: "each SoR's attribute index plan, and the index builds a template change started",
    sql: `
      ALTER TABLE systems_of_record ADD COLUMN indexed_attributes TEXT;
      ALTER TABLE systems_of_record ADD COLUMN index_builds TEXT;
    `,
  },
  {
    version: 8,
    description: 'the nodes of SET SoRs by the subject (sub_id.uri) that built them, where their id is not its sub_id.id',
    sql: `
      -- How an event without data (a delete, an activate) finds a node whose uniqueId comes from the data. Partial:
      -- nodes keyed by sub_id.id, the usual template, are found by that id and get no entry here (their writes
      -- still evaluate the WHERE: on SQLite ~6 µs per source document written). A query uses it
      -- only when it repeats this WHERE (findNodeIdBySubject).
      CREATE INDEX nodes_subject ON nodes (sor_id, entity, json_extract(source_document, '$.sub_id.uri'))
        WHERE source_document IS NOT NULL AND id IS NOT json_extract(source_document, '$.sub_id.id');
    `,
  },
];

/** Applies pending migrations in one immediate transaction, so a second process waits instead of racing. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const apply = db.transaction(() => {
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .pluck()
        .all()
        .map((version) => Number(version)),
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
  });
  apply.immediate();
}

export function appliedMigrations(db: Database.Database): number[] {
  return db
    .prepare('SELECT version FROM schema_migrations ORDER BY version')
    .pluck()
    .all()
    .map((version) => Number(version));
}

export function isCreated(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
}
