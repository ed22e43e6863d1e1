/**
 * The SQLite schema, as an ordered list of migrations. Migration `i` takes a database from
 * schema version `i` to `i + 1` (`PRAGMA user_version`); each runs in its own transaction.
 * Never edit a migration that has shipped: append a new one.
 * @internal
 */

/** The `meta` row that marks a SQLite file as Warden's, so a stranger's database is never touched. */
export const WARDEN_MARKER = { key: 'app', value: 'warden' } as const;

export const sqliteMigrations: readonly string[] = [
  // 1: tasks, their transition stream, attempts, durable timers, the outbox and breakers.
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('${WARDEN_MARKER.key}', '${WARDEN_MARKER.value}');

  -- pos is the insertion order: it breaks created_at ties and, being an INTEGER PRIMARY KEY,
  -- survives VACUUM (a bare rowid may be renumbered).
  CREATE TABLE tasks (
    pos             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    workflow        TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    input_hash      TEXT NOT NULL,
    seq             INTEGER NOT NULL DEFAULT 0,
    record          TEXT NOT NULL
  );
  CREATE INDEX tasks_status ON tasks (status, created_at);
  CREATE INDEX tasks_workflow ON tasks (workflow, created_at);
  CREATE INDEX tasks_created ON tasks (created_at);
  -- Recovery reads only unfinished tasks; this list must match TERMINAL_STATUSES.
  CREATE INDEX tasks_live ON tasks (pos) WHERE status NOT IN ('completed', 'degraded', 'failed', 'cancelled');

  -- id is the store-wide stream id (the SSE event id).
  CREATE TABLE transitions (
    id      INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    at      TEXT NOT NULL,
    body    TEXT NOT NULL,
    UNIQUE (task_id, seq)
  );

  CREATE TABLE attempts (
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    agent      TEXT NOT NULL,
    attempt    INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (task_id, agent, attempt, started_at)
  ) WITHOUT ROWID;

  CREATE TABLE timers (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    wake_at INTEGER NOT NULL,
    PRIMARY KEY (task_id, kind)
  ) WITHOUT ROWID;
  CREATE INDEX timers_wake ON timers (wake_at, task_id, kind);

  -- Escalation messages waiting to be delivered; written in the step that raises them.
  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         TEXT REFERENCES tasks (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
  CREATE INDEX outbox_task ON outbox (task_id);

  CREATE TABLE breakers (
    agent      TEXT PRIMARY KEY,
    snapshot   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
];
