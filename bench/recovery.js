/**
 * Recovery: `warden serve` on a temp SQLite file with a slow agent, N tasks in flight, kill -9,
 * restart, and the time from the restart until the agent has seen every task again. The kill and
 * restart are repeated `runs` times on the same file; the figure is the median.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median, nowMs, ROOT, tempDir } from './lib.js';

const BIN = join(ROOT, 'bin/warden.js');

/**
 * @param {number} tasks @param {number} runs
 * @returns {Promise<{ tasks: number; resumeMs: number; runsMs: number[]; listeningMs: number; submitMs: number }>}
 */
export async function runRecovery(tasks, runs) {
  const tmp = await tempDir('warden-recovery-');
  try {
    await mkdir(join(tmp.dir, 'workflows'));
    await writeFile(
      join(tmp.dir, 'agents.config.json'),
      JSON.stringify({
        agents: {
          slow: {
            adapter: { type: 'module', path: join(ROOT, 'bench/agents/recovery-agent.js') },
            maxConcurrency: tasks,
            maxQueue: tasks,
            timeoutMs: '1h',
          },
        },
        store: 'sqlite:./warden.db',
      }),
    );
    await writeFile(join(tmp.dir, 'workflows', 'job.json'), JSON.stringify({ name: 'job', agent: 'slow', deadlineMs: '2h' }));
    const args = ['serve', '--port', '0', '--config', join(tmp.dir, 'agents.config.json')];

    let server = start(args);
    const { url } = await server.listening;
    const t0 = nowMs();
    await submit(url, tasks);
    const submitMs = nowMs() - t0;
    await server.seenAll(tasks);
    const runsMs = [];
    const listening = [];
    for (let r = 0; r < runs; r++) {
      await server.kill();
      const restartAt = nowMs();
      server = start(args);
      server.listening.then(
        () => listening.push(nowMs() - restartAt),
        () => {},
      );
      await server.seenAll(tasks);
      runsMs.push(nowMs() - restartAt);
      await server.listening;
    }
    await server.kill();
    return { tasks, resumeMs: median(runsMs), runsMs, listeningMs: median(listening), submitMs };
  } finally {
    await tmp.remove();
  }
}

/** @param {string[]} args */
function start(args) {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, WARDEN_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = new Set();
  /** @type {(() => void)[]} */
  const waiters = [];
  let want = Infinity;
  let rest = '';
  let err = '';
  /** @type {(v: { url: string }) => void} */
  let onListening = () => {};
  /** @type {(e: Error) => void} */
  let onFail = () => {};
  const listening = new Promise((res, rej) => {
    onListening = res;
    onFail = rej;
  });
  listening.catch(() => {}); // a killed server rejects it, after it listened or when nobody waits
  const exited = new Promise((r) => proc.on('exit', r));
  void exited.then(() => onFail(new Error(`warden serve exited:\n${err}`)));
  proc.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  proc.stdout.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('seen ')) seen.add(line.slice(5));
      else {
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) onListening({ url: m[1] });
      }
    }
    if (seen.size >= want) for (const w of waiters.splice(0)) w();
  });
  return {
    listening,
    /** @param {number} n */
    seenAll(n) {
      want = n;
      if (seen.size >= n) return Promise.resolve();
      return new Promise((res, rej) => {
        waiters.push(() => res(undefined));
        void exited.then(() => rej(new Error(`warden serve exited before it ran every task (${seen.size}/${n}):\n${err}`)));
      });
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs `n` tasks, 64 at a time, as clients would. @param {string} url @param {number} n */
async function submit(url, n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const res = await fetch(`${url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: 'job', input: { n: i } }),
      });
      if (res.status !== 202 && res.status !== 200) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}
