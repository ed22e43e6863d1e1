import { ConfigError, loadConfig } from '../../config/index.js';
import { runDrill, type DrillReport } from '../../drill/runDrill.js';
import { isScenarioName, SCENARIO_NAMES } from '../../drill/scenarios.js';
import { duration, table } from '../format.js';

/** The options of `warden drill`, as commander parses them. */
export interface DrillCommandOptions {
  config?: string;
  scenario: string;
  /** Defaults to "1". */
  seed?: string;
  /** Tasks per workflow. Defaults to "100". */
  tasks?: string;
  json?: boolean;
}

/**
 * `warden drill`: runs the user's config against a simulated fault on a simulated clock (see
 * `runDrill`) and prints what happened to each workflow, agent and severity. Nothing real is
 * called and nobody is paged. Returns the exit code: 0, or 1 for a bad option or config.
 *
 * @example
 * warden drill --scenario outage --seed 7 --tasks 200
 */
export async function drillCommand(o: DrillCommandOptions): Promise<number> {
  if (!isScenarioName(o.scenario)) {
    console.error(`error: unknown scenario "${o.scenario}"; expected one of ${SCENARIO_NAMES.join(', ')}`);
    return 1;
  }
  const seed = Number(o.seed ?? 1);
  const tasks = Number(o.tasks ?? 100);
  if (!Number.isInteger(seed) || seed < 0) {
    console.error(`error: --seed must be a whole number ≥ 0, got "${o.seed}"`);
    return 1;
  }
  if (!Number.isInteger(tasks) || tasks < 1) {
    console.error(`error: --tasks must be a whole number ≥ 1, got "${o.tasks}"`);
    return 1;
  }
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    // Secrets are not needed: the drill replaces every adapter and channel.
    loaded = await loadConfig({ ...(o.config ? { configPath: o.config } : {}), checkEnv: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const started = Date.now();
  const report = await runDrill({ loaded, scenario: o.scenario, seed, tasks });
  if (o.json) console.log(JSON.stringify(report));
  else console.log(formatDrillReport(report, Date.now() - started));
  return 0;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as text: a header, a table per workflow and per agent, and the escalations. */
export function formatDrillReport(r: DrillReport, realMs?: number): string {
  const lines = [
    `drill ${r.scenario}, seed ${r.seed}, ${r.tasksPerWorkflow} task(s) per workflow arriving over ${r.spanMs / 1000} s: ${r.description}`,
    `${(r.simulatedMs / 1000).toFixed(1)} s of simulated time${realMs !== undefined ? ` in ${duration(realMs)}` : ''}; agents and escalation channels were simulated, nothing was called or sent`,
    '',
    table(
      ['workflow', 'tasks', 'success', 'degraded', 'failed', 'p50', 'p99', 'note'],
      Object.entries(r.workflows).map(([name, w]) => [
        name,
        w.tasks,
        pct(w.successRate),
        pct(w.degradedRate),
        pct(w.failedRate),
        duration(w.latencyMs.p50),
        duration(w.latencyMs.p99),
        w.refused ? `${w.refused.count} refused: ${w.refused.reason}` : '',
      ]),
    ),
    '',
    table(
      ['agent', 'calls', 'ok', 'failed', 'abandoned', 'met a fault', 'circuit opened'],
      Object.entries(r.agents).map(([id, a]) => [id, a.calls, a.ok, a.failed, a.aborted, a.faulted, a.circuitOpened]),
    ),
    '',
    `escalations by severity: ${Object.entries(r.escalations)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}` + ` (${Object.values(r.escalationRecords).reduce((a, b) => a + b, 0)} after grouping by fingerprint)`,
  ];
  if (r.retryAfter.callsAfterAnyRetryAfter > 0) {
    lines.push(
      `Retry-After: ${r.retryAfter.callsInsideAnyRetryAfter} of ${r.retryAfter.callsAfterAnyRetryAfter} call(s) to a throttled agent came before it said to; ` +
        `${r.retryAfter.honoured}/${r.retryAfter.followUps} retries of a throttled task waited as asked`,
    );
  }
  return lines.join('\n');
}
