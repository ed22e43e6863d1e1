/*
 * The Postgres schema, as an ordered list of migrations, and the routine that applies them.
 * Migration `i` takes a schema from version `i` to `i + 1` (the `schema_version` row of its
 * `meta` table). Never edit a migration that has shipped: append a new one.
 * @internal
 */
import type pg from 'pg';
import { wardenError } from '../../errors/index.js';
import { TERMINAL_STATUSES } from '../../lifecycle/types.js';

/** The `meta` row that marks a schema as Warden's, so a stranger's schema is never touched. */
export const PG_WARDEN_MARKER = { key: 'app', value: 'warden' } as const;

/** `status NOT IN (…)` over the terminal statuses; the live-task index and its query share it. */
export const LIVE_TASK_PREDICATE = `status NOT IN (${[...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ')})`;

/** `"name"`; the store validates schema names, so quoting is all that is needed. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Migration `i` takes the schema from version `i` to `i + 1`; the length is the current version.
 * Each is a function of the quoted schema name, because every table is schema-qualified.
 */
export const postgresMigrations: readonly ((s: string) => string)[] = [
  // 1: tasks, their transition stream, attempts, durable timers, escalations, the outbox,
  // breakers and the leases of the global bulkhead.
  //
  // Ids, keys and names are COLLATE "C": they are compared byte by byte, as SQLite does, so
  // orderings (timers by owner id) do not depend on the database's locale. Documents are `json`
  // rather than `jsonb`: jsonb refuses the string "\u0000", which an agent's output may contain,
  // and nothing here queries inside a document. Times in ms are double precision, as numbers
  // are in JavaScript: integers round-trip exactly and a fractional time is stored, not refused.
  (s) => `
  CREATE TABLE ${s}.meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
  );
  INSERT INTO ${s}.meta (key, value) VALUES ('${PG_WARDEN_MARKER.key}', '${PG_WARDEN_MARKER.value}'), ('schema_version', '0');

  -- pos is the insertion order: it breaks created_at ties. seq is the seq of the task's last
  -- transition, checked by every step (optimistic concurrency between workers).
  CREATE TABLE ${s}.tasks (
    id              text COLLATE "C" PRIMARY KEY,
    pos             bigserial NOT NULL,
    workflow        text COLLATE "C" NOT NULL,
    status          text COLLATE "C" NOT NULL,
    state           text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    idempotency_key text COLLATE "C" UNIQUE,
    input_hash      text NOT NULL,
    seq             integer NOT NULL DEFAULT 0,
    record          json NOT NULL
  );
  CREATE INDEX tasks_created ON ${s}.tasks (created_at DESC, pos DESC);
  CREATE INDEX tasks_status ON ${s}.tasks (status, created_at DESC, pos DESC);
  CREATE INDEX tasks_workflow ON ${s}.tasks (workflow, created_at DESC, pos DESC);
  CREATE INDEX tasks_live ON ${s}.tasks (pos) WHERE ${LIVE_TASK_PREDICATE};

  -- id is the store-wide stream id (the SSE event id): the writing transaction's xid8 times
  -- 1024 plus the transition's index in it, so that ids follow transaction ids and the stream
  -- can be read without skipping a transaction that commits late (see PostgresStore).
  CREATE TABLE ${s}.transitions (
    id      bigint PRIMARY KEY,
    task_id text COLLATE "C" NOT NULL REFERENCES ${s}.tasks (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    at      timestamptz NOT NULL,
    body    json NOT NULL,
    UNIQUE (task_id, seq)
  );

  CREATE TABLE ${s}.attempts (
    task_id    text COLLATE "C" NOT NULL REFERENCES ${s}.tasks (id) ON DELETE CASCADE,
    agent      text COLLATE "C" NOT NULL,
    attempt    integer NOT NULL,
    started_at text COLLATE "C" NOT NULL,
    body       json NOT NULL,
    PRIMARY KEY (task_id, agent, attempt, started_at)
  );

  -- The owner is a task id, or an escalation id for the esc-* kinds. wake_at is ms on the engine's clock.
  CREATE TABLE ${s}.timers (
    owner_id text COLLATE "C" NOT NULL,
    kind     text COLLATE "C" NOT NULL,
    wake_at  double precision NOT NULL,
    PRIMARY KEY (owner_id, kind)
  );
  CREATE INDEX timers_wake ON ${s}.timers (wake_at, owner_id, kind);

  -- pos keeps creation order, which listing and grouping follow; an update keeps it.
  CREATE TABLE ${s}.escalations (
    id          text COLLATE "C" PRIMARY KEY,
    pos         bigserial NOT NULL,
    fingerprint text COLLATE "C" NOT NULL,
    workflow    text COLLATE "C" NOT NULL,
    plan_key    text COLLATE "C" NOT NULL,
    status      text COLLATE "C" NOT NULL,
    -- createdAt in ms, for the dedup window; NULL when it does not parse.
    created_ms  double precision,
    record      json NOT NULL
  );
  CREATE INDEX escalations_pos ON ${s}.escalations (pos);
  CREATE INDEX escalations_fingerprint ON ${s}.escalations (fingerprint, pos);
  CREATE INDEX escalations_plan ON ${s}.escalations (workflow, plan_key, pos);
  CREATE INDEX escalations_status ON ${s}.escalations (status, pos);

  -- Messages to send, written in the same transaction as the escalation change that causes them.
  CREATE TABLE ${s}.outbox (
    id              text COLLATE "C" PRIMARY KEY,
    pos             bigserial NOT NULL,
    escalation_id   text COLLATE "C" NOT NULL,
    channel         text COLLATE "C" NOT NULL,
    kind            text COLLATE "C" NOT NULL,
    status          text COLLATE "C" NOT NULL,
    attempts        integer NOT NULL,
    next_attempt_at double precision NOT NULL,
    created_at      double precision NOT NULL,
    body            json NOT NULL
  );
  CREATE INDEX outbox_due ON ${s}.outbox (next_attempt_at, created_at, pos) WHERE status = 'pending';
  CREATE INDEX outbox_escalation ON ${s}.outbox (escalation_id, pos);

  -- updated_at is what workers compare to adopt a newer snapshot written by another.
  CREATE TABLE ${s}.breakers (
    agent      text COLLATE "C" PRIMARY KEY,
    pos        bigserial NOT NULL,
    snapshot   json NOT NULL,
    updated_at double precision NOT NULL
  );

  -- One row per call in flight, for an agent's concurrency limit across every worker.
  CREATE TABLE ${s}.leases (
    agent      text COLLATE "C" NOT NULL,
    lease_id   text COLLATE "C" NOT NULL,
    expires_at double precision NOT NULL,
    PRIMARY KEY (agent, lease_id)
  );
  CREATE INDEX leases_expiry ON ${s}.leases (agent, expires_at);
  `,
];

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Creates or migrates `schema` to the latest version, in one transaction under an advisory lock,
 * so processes starting at once migrate once. Refuses a schema that holds tables but is not
 * Warden's, and one of a newer version, leaving both untouched. `name` names the store in messages.
 * @internal
 */
export async function migratePostgres(client: pg.ClientBase, schema: string, name: string): Promise<void> {
  const s = quoteIdent(schema);
  const latest = postgresMigrations.length;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('warden-migrate:' || $1::text))`, [schema]);
    const { rows } = await client.query<{ has_schema: boolean; has_meta: boolean; relations: string }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS has_schema,
              to_regclass($2) IS NOT NULL AS has_meta,
              (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1) AS relations`,
      [schema, `${s}.meta`],
    );
    const found = rows[0]!;
    let version = 0;
    if (found.has_meta) {
      const meta = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${s}.meta`);
      const get = (key: string) => meta.rows.find((r) => r.key === key)?.value;
      if (get(PG_WARDEN_MARKER.key) !== PG_WARDEN_MARKER.value) {
        throw wardenError('STORE_ERROR', `store ${name} is not a Warden schema (its meta table has no Warden marker)`);
      }
      version = Number(get('schema_version'));
      if (!Number.isInteger(version) || version < 0)
        throw wardenError('STORE_ERROR', `store ${name} has an unreadable schema version "${get('schema_version')}"`);
      if (version > latest)
        throw wardenError('STORE_ERROR', `store ${name} has schema version ${version}, newer than this Warden (${latest}); upgrade Warden`);
    } else if (Number(found.relations) > 0) {
      throw wardenError('STORE_ERROR', `store ${name} is not a Warden schema (schema ${schema} has tables but no Warden meta table)`);
    }
    if (version === latest) {
      await client.query('COMMIT');
      return;
    }
    // Not CREATE SCHEMA IF NOT EXISTS alone: that needs the CREATE privilege even when the schema exists.
    if (!found.has_schema) await client.query(`CREATE SCHEMA ${s}`);
    for (let v = version; v < latest; v++) {
      try {
        await client.query(postgresMigrations[v]!(s));
      } catch (err) {
        throw wardenError('STORE_ERROR', `cannot migrate store ${name} to schema version ${v + 1}: ${messageOf(err)}`, { cause: err });
      }
    }
    await client.query(`UPDATE ${s}.meta SET value = $1 WHERE key = 'schema_version'`, [String(latest)]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
