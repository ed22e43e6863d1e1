import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const db = new DatabaseSync(join(mkdtempSync(join(tmpdir(), 'raw-')), 'x.db'));
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (pos INTEGER PRIMARY KEY, id TEXT UNIQUE, status TEXT, rec TEXT); CREATE INDEX ts ON t(status); CREATE TABLE tr (id INTEGER PRIMARY KEY, task_pos INT, seq INT, body TEXT); CREATE UNIQUE INDEX trs ON tr(task_pos, seq);');
const ins = db.prepare('INSERT INTO t (id, status, rec) VALUES (?, ?, ?)');
const up = db.prepare('UPDATE t SET status = ?, rec = ? WHERE id = ? RETURNING pos');
const itr = db.prepare('INSERT INTO tr (task_pos, seq, body) VALUES (?, ?, ?)');
for (const size of [200, 1500]) {
const rec = 'x'.repeat(size); const body = 'y'.repeat(200);
const N = 20000; const t0 = performance.now();
let k = 0;
for (let b = 0; b < N * 5; b += 1000) {
  db.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < 1000; i++, k++) {
    const task = Math.floor(k / 5) + size * 1e6; const step = k % 5;
    if (step === 0) { const r = ins.run(String(task), 'queued', rec); itr.run(r.lastInsertRowid, 1, body); }
    else { const r = up.get(step === 4 ? 'completed' : 'running', rec, String(task)); itr.run(r.pos, step + 1, body); }
  }
  db.exec('COMMIT');
}
const ms = performance.now() - t0;
console.log(size, 'bytes record:', Math.round(N / ms * 1000), 'tasks/s raw (5 writes each)');
}
