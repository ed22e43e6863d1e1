/** One-line summaries of a loaded config, one per file, as `warden validate` prints them. */
import path from 'node:path';
import { displayFile } from './ConfigError.js';
import { candidateAgents } from './crossCheck.js';
import type { LoadedConfig } from './load.js';

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * One line per file: the config, then each workflow in name order.
 *
 * @example
 * describeConfig(loaded);
 * // [ 'agents.config.json: 8 agents, 3 fallback chains, 1 channel',
 * //   'workflows/code-review.json: workflow code-review → senior-backend-developer (+3 fallbacks)',
 * //   'workflows/ship-change.json: workflow ship-change → 5 steps: plan, backend, frontend, review, deploy', … ]
 */
export function describeConfig(loaded: LoadedConfig, opts: { cwd?: string } = {}): string[] {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const { config } = loaded;
  const lines = [
    `${displayFile(loaded.configPath, cwd)}: ${[
      count(Object.keys(config.agents).length, 'agent'),
      count(Object.keys(config.fallbackChains).length, 'fallback chain'),
      count(Object.keys(config.escalation.channels).length, 'channel'),
    ].join(', ')}`,
  ];
  for (const workflow of loaded.workflows.values()) {
    const candidates = candidateAgents(config, workflow);
    const steps = workflow.run?.order ?? Object.keys(workflow.steps ?? {});
    const target = workflow.steps
      ? `${count(steps.length, 'step')}: ${steps.join(', ')}`
      : workflow.agent !== undefined
        ? `${workflow.agent}${candidates.length > 1 ? ` (+${count(candidates.length - 1, 'fallback')})` : ''}`
        : `capability ${workflow.capability ?? ''} (${count(candidates.length, 'agent')})`;
    lines.push(`${displayFile(workflow.file, cwd)}: workflow ${workflow.name} → ${target}`);
  }
  return lines;
}
