/**
 * `warden prune [--older-than 7d] [--dry-run]`: deletes now what retention lets go, in the same
 * small batches as the background purge, and prints the counts.
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { systemClock } from '../../clock/index.js';
import { parseDuration } from '../../config/index.js';
import { isWardenError } from '../../errors/index.js';
import { silentLogger } from '../../lifecycle/logger.js';
import { describePrune, Pruner, type PruneReport } from '../../retention/Pruner.js';
import { PRUNABLE_STATUSES } from '../../store/Prune.js';
import { openStore } from '../../store/openStore.js';
import { loadConfigOrExit } from './loadConfigOrExit.js';

/** Options of `warden prune`. */
export interface PruneCommandOptions {
  config?: string;
  store?: string;
  /** Parsed from a duration; stands for every retention period. */
  olderThan?: number;
  dryRun?: boolean;
  json?: boolean;
}

/** Adds `warden prune` to the program. */
export function registerPruneCommand(program: Command): void {
  program
    .command('prune')
    .description("delete ended tasks and resolved escalations older than the config's retention (or --older-than), and print the counts")
    .option('-c, --config <file>', 'config file (default: WARDEN_CONFIG or ./agents.config.json)')
    .option('--store <url>', 'store URL: sqlite:PATH or postgres://… (default: the config\'s "store")')
    .option(
      '--older-than <duration>',
      'instead of the retention periods: everything ended before this long ago, e.g. 7d, 12h',
      parseOlderThan,
    )
    .option('--dry-run', 'count what would be deleted, and delete nothing')
    .option('--json', 'print JSON')
    .action(async (o: PruneCommandOptions) => {
      process.exitCode = await pruneCommand(o);
    });
}

/** Runs one pass on the store; returns the exit code: 0, or 1 when the store cannot be opened. */
export async function pruneCommand(o: PruneCommandOptions): Promise<number> {
  const loaded = await loadConfigOrExit(o.config);
  const store = openStore(o.store ?? loaded.config.store, { baseDir: loaded.configDir });
  try {
    await store.init();
  } catch (err) {
    if (!isWardenError(err)) throw err;
    console.error(`error: ${err.message}`);
    // A running Warden purges by itself; only it may write its SQLite file.
    if (err.code === 'STORE_IN_USE') console.error(`hint: that Warden purges in the background every retention.intervalMs`);
    return 1;
  }
  try {
    const pruner = new Pruner({ store, clock: systemClock, retention: loaded.config.retention, logger: silentLogger });
    const report = await pruner.run({
      ...(o.olderThan !== undefined ? { olderThanMs: o.olderThan } : {}),
      ...(o.dryRun ? { dryRun: true } : {}),
    });
    if (o.json) console.log(JSON.stringify(report, null, 2));
    else for (const line of reportLines(report)) console.log(line);
    return 0;
  } finally {
    await store.close();
  }
}

/** The report as text: the counts, then the cut-offs. */
export function reportLines(r: PruneReport): string[] {
  const cut = (kind: keyof PruneReport['before']) => (r.before[kind] ? `before ${r.before[kind]}` : 'kept forever');
  return [
    r.dryRun ? `${describePrune(r)} (dry run: nothing was deleted)` : describePrune(r),
    `tasks: ${PRUNABLE_STATUSES.map((s) => `${s} ${cut(s)}`).join(', ')}`,
    `resolved escalations: ${cut('escalations')}`,
  ];
}

function parseOlderThan(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (!(ms > 0)) throw new InvalidArgumentError('must be more than 0');
  return ms;
}
