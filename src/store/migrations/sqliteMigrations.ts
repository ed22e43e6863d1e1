/*
 * The SQLite schema, as an ordered list of migrations. Migration `i` takes a database from
 * schema version `i` to `i + 1` (`PRAGMA user_version`); each runs in its own transaction.
 * Never edit a migration that has shipped: append a new one.
 * @internal
 */

/** The `meta` row that marks a SQLite file as Warden's, so a stranger's database is never touched. */
export const WARDEN_MARKER = { key: 'app', value: 'warden' } as const;

/**
 * One migration: SQL run in its own `BEGIN IMMEDIATE` transaction, or SQL that cannot run in a
 * transaction (VACUUM), which must then be safe to run twice.
 */
export type SqliteMigration = string | { readonly outsideTransaction: string };

/** Migration `i` takes the schema from version `i` to `i + 1`; the length is the current version. */
export const sqliteMigrations: readonly SqliteMigration[] = [
  // 1: tasks, their transition stream, attempts, durable timers, escalations, the outbox and breakers.
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('${WARDEN_MARKER.key}', '${WARDEN_MARKER.value}');

  -- pos is the insertion order: it breaks created_at ties and, being an INTEGER PRIMARY KEY,
  -- survives VACUUM (a bare rowid may be renumbered). The other tables refer to a task by pos,
  -- not by its random UUID, so their rows for live (recent) tasks sit together at the end of
  -- their indexes instead of dirtying pages all over them.
  CREATE TABLE tasks (
    pos             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    workflow        TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    idempotency_key TEXT,
    input_hash      TEXT NOT NULL,
    seq             INTEGER NOT NULL DEFAULT 0,
    record          TEXT NOT NULL
  );
  CREATE UNIQUE INDEX tasks_idempotency_key ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX tasks_status ON tasks (status, created_at);
  CREATE INDEX tasks_workflow ON tasks (workflow, created_at);
  CREATE INDEX tasks_created ON tasks (created_at);

  -- id is the store-wide stream id (the SSE event id); AUTOINCREMENT so that it is never reused,
  -- even after the newest rows are deleted.
  CREATE TABLE transitions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    task_pos INTEGER NOT NULL REFERENCES tasks (pos) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    at       TEXT NOT NULL,
    body     TEXT NOT NULL,
    UNIQUE (task_pos, seq)
  );

  CREATE TABLE attempts (
    task_pos   INTEGER NOT NULL REFERENCES tasks (pos) ON DELETE CASCADE,
    agent      TEXT NOT NULL,
    attempt    INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (task_pos, agent, attempt, started_at)
  ) WITHOUT ROWID;

  -- The owner is a task id, or an escalation id for the esc-* kinds.
  CREATE TABLE timers (
    owner_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    wake_at  INTEGER NOT NULL,
    PRIMARY KEY (owner_id, kind)
  ) WITHOUT ROWID;
  CREATE INDEX timers_wake ON timers (wake_at, owner_id, kind);

  -- pos keeps creation order, which listing and grouping follow; an update keeps it.
  CREATE TABLE escalations (
    pos         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    workflow    TEXT NOT NULL,
    plan_key    TEXT NOT NULL,
    status      TEXT NOT NULL,
    -- createdAt in ms, for the dedup window; NULL when it does not parse.
    created_ms  INTEGER,
    updated_at  TEXT NOT NULL,
    record      TEXT NOT NULL
  );
  CREATE INDEX escalations_fingerprint ON escalations (fingerprint, pos);
  CREATE INDEX escalations_plan ON escalations (workflow, plan_key, pos);
  CREATE INDEX escalations_status ON escalations (status, pos);

  -- Messages to send, written in the same transaction as the escalation change that causes them.
  CREATE TABLE outbox (
    pos             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    escalation_id   TEXT NOT NULL,
    status          TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_at, created_at, pos) WHERE status = 'pending';
  CREATE INDEX outbox_escalation ON outbox (escalation_id, pos);

  CREATE TABLE breakers (
    agent      TEXT PRIMARY KEY,
    snapshot   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 2: incremental auto-vacuum, so that space freed by retention goes back to the file system in
  // small steps (PRAGMA incremental_vacuum) rather than by a VACUUM that stops the world. An
  // existing file takes the new setting only by one VACUUM, which rewrites it once.
  { outsideTransaction: 'PRAGMA auto_vacuum = INCREMENTAL; VACUUM' },
];
