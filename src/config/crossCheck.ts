/**
 * The checks a schema cannot make alone: references between agents, chains, channels and
 * workflows, retry bounds, environment variables and module files. Each returns problems and
 * never throws, so that every problem of every file is reported together.
 * @internal
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from './ConfigError.js';
import { dottedPath } from './ConfigError.js';
import { forEachCycle } from './cycles.js';
import { checkWorkflowInclusion } from './workflowInclusion.js';
import type { AgentConfig } from './agentSchema.js';
import type { EscalationConfig } from './escalationSchema.js';
import { escalationSchema } from './escalationSchema.js';
import { agentSchema } from './agentSchema.js';
import { mergeRetry } from './policySchemas.js';
import type { RecoveryStep, RecoveryTarget, SystemCheckName } from './recoverySchema.js';
import { strategyMisfit } from './recoverySchema.js';
import type { SupervisorConfig } from './supervisorSchema.js';
import { supervisorSchema } from './supervisorSchema.js';
import type { Config, Workflow } from './schema.js';
import { configSchema } from './schema.js';

/** A parsed workflow and where it came from. @internal */
export interface WorkflowEntry {
  readonly workflow: Workflow;
  /** The file as shown in problems. */
  readonly file: string;
  /** The folder that relative paths in the workflow resolve against. */
  readonly dir: string;
  /** The name the workflow must have: its file name without `.json`; absent for in-memory workflows. */
  readonly expectedName?: string | undefined;
  /** The absolute path of its file; absent for in-memory workflows. */
  readonly source?: string | undefined;
}

/** Where relative paths in the config resolve, and whether to check environment variables. @internal */
export interface ConfigCheckContext {
  readonly file: string;
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly checkEnv: boolean;
}

/**
 * What the cross-checks look at: the parsed config, or as much of it as parsed, so that a
 * schema error in one agent does not hide a broken reference elsewhere.
 * @internal
 */
export interface ConfigView {
  /** Every agent id the config names, whether its definition parsed or not. */
  readonly agentIds: ReadonlySet<string>;
  /** The agents whose definitions parsed. */
  readonly agents: Readonly<Record<string, AgentConfig>>;
  /** Whether every agent parsed; checks that need all of them (capabilities) are skipped otherwise. */
  readonly agentsComplete: boolean;
  readonly fallbackChains: Readonly<Record<string, readonly string[]>>;
  /** Absent when the escalation section did not parse. */
  readonly escalation?: EscalationConfig | undefined;
  /** Absent when the supervisor section did not parse. */
  readonly supervisor?: SupervisorConfig | undefined;
}

/** The view of a fully parsed config. @internal */
export function viewOf(config: Config): ConfigView {
  return {
    agentIds: new Set(Object.keys(config.agents)),
    agents: config.agents,
    agentsComplete: true,
    fallbackChains: config.fallbackChains,
    escalation: config.escalation,
    supervisor: config.supervisor,
  };
}

/** The view of a config that failed its schema: each section (each agent) that parses on its own. @internal */
export function salvageView(raw: unknown): ConfigView | undefined {
  if (!isRecord(raw)) return undefined;
  const agents: Record<string, AgentConfig> = {};
  let agentsComplete = isRecord(raw.agents);
  const agentIds = new Set<string>();
  for (const [id, json] of Object.entries(isRecord(raw.agents) ? raw.agents : {})) {
    agentIds.add(id);
    const parsed = agentSchema.safeParse(json);
    if (parsed.success) agents[id] = parsed.data;
    else agentsComplete = false;
  }
  const chains = configSchema.shape.fallbackChains.safeParse(raw.fallbackChains);
  const escalation = escalationSchema.prefault({}).safeParse(raw.escalation);
  const supervisor = supervisorSchema.prefault({}).safeParse(raw.supervisor);
  return {
    agentIds,
    agents,
    agentsComplete,
    fallbackChains: chains.success ? chains.data : {},
    escalation: escalation.success ? escalation.data : undefined,
    supervisor: supervisor.success ? supervisor.data : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Report = (segments: readonly PropertyKey[], message: string) => void;

/** Checks the config on its own: fallback chains, retry and breaker bounds, channels, env, module files. @internal */
export function checkConfig(config: ConfigView, ctx: ConfigCheckContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (segments, message) => problems.push({ file: ctx.file, path: dottedPath(segments), message });
  checkFallbackChains(config, report);
  checkAgents(config, ctx, report);
  if (config.escalation) checkEscalation(config.escalation, ctx, report);
  if (config.supervisor) checkSupervisor(config.supervisor, ctx, report);
  return problems;
}

function knownList(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? list.join(', ') : 'none';
}

function checkFallbackChains(config: ConfigView, report: Report): void {
  const agentIds = config.agentIds;
  const isAgent = (id: string) => agentIds.has(id);
  for (const [primary, chain] of Object.entries(config.fallbackChains)) {
    if (!isAgent(primary)) report(['fallbackChains', primary], `unknown agent "${primary}" (agents: ${knownList(agentIds)})`);
    const seen = new Set<string>();
    chain.forEach((member, i) => {
      const at = ['fallbackChains', primary, i];
      if (!isAgent(member)) report(at, `unknown agent "${member}" (agents: ${knownList(agentIds)})`);
      if (member === primary) report(at, `"${member}" cannot fall back to itself`);
      else if (seen.has(member)) report(at, `"${member}" appears more than once in the chain`);
      seen.add(member);
    });
  }
  // A cycle through several chains (a → b, b → a) is reported once, at the edge that closes it;
  // a chain naming its own agent is reported above.
  forEachCycle(
    Object.keys(config.fallbackChains),
    (agent) => config.fallbackChains[agent] ?? [],
    (cycle, agent, i) => {
      if (cycle.length > 2) report(['fallbackChains', agent, i], `fallback cycle: ${cycle.join(' → ')}`);
    },
  );
}

function checkAgents(config: ConfigView, ctx: ConfigCheckContext, report: Report): void {
  for (const [id, agent] of Object.entries(config.agents)) {
    const at = ['agents', id];
    if (agent.retry.maxDelayMs < agent.retry.initialDelayMs) {
      report([...at, 'retry', 'maxDelayMs'], `must be ≥ initialDelayMs (${agent.retry.initialDelayMs})`);
    }
    if (agent.circuitBreaker.maxOpenMs < agent.circuitBreaker.openMs) {
      report([...at, 'circuitBreaker', 'maxOpenMs'], `must be ≥ openMs (${agent.circuitBreaker.openMs})`);
    }
    const adapter = agent.adapter;
    const adapterAt = [...at, 'adapter'];
    switch (adapter.type) {
      case 'openai':
        if (adapter.apiKeyEnv !== undefined) requireEnv(ctx, report, [...adapterAt, 'apiKeyEnv'], adapter.apiKeyEnv);
        break;
      case 'http':
        for (const [header, name] of Object.entries(adapter.headersEnv ?? {})) {
          requireEnv(ctx, report, [...adapterAt, 'headersEnv', header], name);
        }
        break;
      case 'module':
        requireFile(report, [...adapterAt, 'path'], adapter.path, ctx.configDir, 'the config file');
        break;
      case 'command':
        if (adapter.cwd !== undefined) requireDirectory(report, [...adapterAt, 'cwd'], adapter.cwd, ctx.configDir);
        break;
      case 'simulated':
        break;
    }
    checkSupervision(agent, at, ctx, report);
  }
}

/** An agent's managed process and recovery ladder: bounds, folders, and strategies that fit. */
function checkSupervision(agent: AgentConfig, at: readonly PropertyKey[], ctx: ConfigCheckContext, report: Report): void {
  const proc = agent.process;
  if (proc) {
    if (proc.restartBackoff.maxMs < proc.restartBackoff.initialMs) {
      report([...at, 'process', 'restartBackoff', 'maxMs'], `must be ≥ initialMs (${proc.restartBackoff.initialMs})`);
    }
    if (proc.cwd !== undefined) requireDirectory(report, [...at, 'process', 'cwd'], proc.cwd, ctx.configDir);
    for (const [i, name] of proc.inheritEnv.entries()) requireEnv(ctx, report, [...at, 'process', 'inheritEnv', i], name);
  }
  if (!agent.recovery) return;
  if (agent.recovery.length && !agent.healthCheck && !proc) {
    report([...at, 'recovery'], 'needs a healthCheck or a process: without one nothing can find the agent unhealthy');
  }
  checkLadder(agent.recovery, [...at, 'recovery'], { kind: 'agent', hasProcess: proc !== undefined }, ctx, report);
}

function checkSupervisor(supervisor: SupervisorConfig, ctx: ConfigCheckContext, report: Report): void {
  for (const [check, ladder] of Object.entries(supervisor.recovery) as [SystemCheckName, RecoveryStep[]][]) {
    checkLadder(ladder, ['supervisor', 'recovery', check], { kind: 'system', check }, ctx, report);
  }
}

function checkLadder(
  ladder: readonly RecoveryStep[],
  at: readonly PropertyKey[],
  target: RecoveryTarget,
  ctx: ConfigCheckContext,
  report: Report,
): void {
  ladder.forEach((step, i) => {
    const misfit = strategyMisfit(step.strategy, target);
    if (misfit) report([...at, i, 'strategy'], misfit);
    if (step.strategy === 'module') requireFile(report, [...at, i, 'path'], step.path, ctx.configDir, 'the config file');
    if (step.strategy === 'command' && step.cwd !== undefined) requireDirectory(report, [...at, i, 'cwd'], step.cwd, ctx.configDir);
    if (step.strategy === 'webhook') {
      for (const [header, name] of Object.entries(step.headersEnv ?? {})) requireEnv(ctx, report, [...at, i, 'headersEnv', header], name);
    }
  });
}

function checkEscalation(escalation: EscalationConfig, ctx: ConfigCheckContext, report: Report): void {
  const { channels, severities, routes } = escalation;
  const names = Object.keys(channels);
  const used = new Set<string>();
  const useChannel = (at: readonly PropertyKey[], name: string) => {
    if (Object.hasOwn(channels, name)) used.add(name);
    else report(at, `unknown channel "${name}" (channels: ${knownList(names)})`);
  };
  for (const [severity, route] of Object.entries(severities)) {
    for (const [i, name] of route.channels.entries()) useChannel(['escalation', 'severities', severity, 'channels', i], name);
    for (const [i, name] of route.fallbackChannels.entries())
      useChannel(['escalation', 'severities', severity, 'fallbackChannels', i], name);
  }
  routes.forEach((route, i) => {
    for (const [j, name] of route.channels.entries()) useChannel(['escalation', 'routes', i, 'channels', j], name);
  });
  // Secrets of channels that nothing routes to are not needed to start.
  for (const name of used) {
    const channel = channels[name];
    const at = ['escalation', 'channels', name];
    if (channel?.type === 'slack') requireEnv(ctx, report, [...at, 'tokenEnv'], channel.tokenEnv);
    if (channel?.type === 'email') {
      if (channel.smtp.userEnv !== undefined) requireEnv(ctx, report, [...at, 'smtp', 'userEnv'], channel.smtp.userEnv);
      if (channel.smtp.passwordEnv !== undefined) requireEnv(ctx, report, [...at, 'smtp', 'passwordEnv'], channel.smtp.passwordEnv);
    }
  }
}

function requireEnv(ctx: ConfigCheckContext, report: Report, at: readonly PropertyKey[], name: string): void {
  if (!ctx.checkEnv) return;
  const value = ctx.env[name];
  if (value === undefined || value === '') report(at, `environment variable ${name} is not set`);
}

function requireFile(report: Report, at: readonly PropertyKey[], file: string, baseDir: string, base: string): void {
  const resolved = path.resolve(baseDir, file);
  if (!isKind(resolved, 'file')) report(at, `module file not found: ${file} (resolved relative to ${base})`);
}

function requireDirectory(report: Report, at: readonly PropertyKey[], dir: string, baseDir: string): void {
  if (!isKind(path.resolve(baseDir, dir), 'directory')) report(at, `directory not found: ${dir} (resolved relative to the config file)`);
}

function isKind(file: string, kind: 'file' | 'directory'): boolean {
  if (!existsSync(file)) return false;
  const stat = statSync(file);
  return kind === 'file' ? stat.isFile() : stat.isDirectory();
}

/**
 * The agents a workflow may run on: its primary agent and that agent's fallback chain,
 * or every agent with its capability, in config order.
 */
export function candidateAgents(
  config: Pick<Config, 'agents' | 'fallbackChains'> | ConfigView,
  workflow: Pick<Workflow, 'agent' | 'capability'>,
): string[] {
  if (workflow.agent !== undefined) return [workflow.agent, ...(config.fallbackChains[workflow.agent] ?? [])];
  return Object.entries(config.agents)
    .filter(([, agent]) => workflow.capability !== undefined && agent.capabilities.includes(workflow.capability))
    .map(([id]) => id);
}

/** Checks that each workflow is named after its file, and that no two share a name. @internal */
export function checkWorkflowNames(
  entries: readonly (Pick<WorkflowEntry, 'file' | 'expectedName'> & { readonly workflow: Pick<Workflow, 'name'> })[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byName = new Map<string, string>();
  for (const { workflow, file, expectedName } of entries) {
    if (expectedName !== undefined && workflow.name !== expectedName) {
      problems.push({ file, path: 'name', message: `must equal the file name without .json ("${expectedName}"), got "${workflow.name}"` });
    }
    const other = byName.get(workflow.name);
    if (other !== undefined) problems.push({ file, path: 'name', message: `workflow "${workflow.name}" is also defined in ${other}` });
    else byName.set(workflow.name, file);
  }
  return problems;
}

/**
 * Checks workflows against the config and one another: agents, capabilities, merged retry
 * bounds and degraded modules, of a single-step workflow and of each step of a multi-step one;
 * the workflows that steps run, and that none runs itself. @internal
 */
export function checkWorkflows(config: ConfigView, entries: readonly WorkflowEntry[]): ConfigProblem[] {
  const problems: ConfigProblem[] = checkWorkflowNames(entries);
  const names = entries.map((e) => e.workflow.name);
  for (const { workflow, file, dir } of entries) {
    const report: Report = (segments, message) => problems.push({ file, path: dottedPath(segments), message });
    if (!workflow.steps) {
      checkTaskTarget(config, workflow, [], dir, report);
      continue;
    }
    for (const [id, step] of Object.entries(workflow.steps)) {
      checkTaskTarget(config, step, ['steps', id], dir, report);
      if (step.workflow !== undefined && !names.includes(step.workflow)) {
        report(['steps', id, 'workflow'], `unknown workflow "${step.workflow}" (workflows: ${knownList(names)})`);
      }
    }
  }
  problems.push(...checkWorkflowInclusion(entries));
  return problems;
}

/** What runs a task: a single-step workflow, or an agent or capability step (a workflow step has none of these). */
type TaskTarget = Pick<Workflow, 'agent' | 'capability' | 'retry' | 'degraded'>;

/** The agent or capability of a task, its retry override merged over each candidate agent's, its degraded module. */
function checkTaskTarget(config: ConfigView, target: TaskTarget, at: readonly PropertyKey[], dir: string, report: Report): void {
  const agentIds = config.agentIds;
  if (target.agent !== undefined && !agentIds.has(target.agent)) {
    report([...at, 'agent'], `unknown agent "${target.agent}" (agents: ${knownList(agentIds)})`);
  }
  const candidates = candidateAgents(config, target).filter((id) => Object.hasOwn(config.agents, id));
  if (target.capability !== undefined && candidates.length === 0 && config.agentsComplete) {
    report([...at, 'capability'], `no agent has the capability "${target.capability}"`);
  }
  if (target.retry) {
    const bad = candidates.filter((id) => {
      const merged = mergeRetry(config.agents[id].retry, target.retry);
      return merged.maxDelayMs < merged.initialDelayMs;
    });
    if (bad.length) {
      const merged = mergeRetry(config.agents[bad[0]].retry, target.retry);
      report(
        [...at, 'retry', 'maxDelayMs'],
        `must be ≥ initialDelayMs (${merged.initialDelayMs}) once merged over the retry options of ${bad.map((id) => `"${id}"`).join(', ')}`,
      );
    }
  }
  if (target.degraded && 'module' in target.degraded) {
    requireFile(report, [...at, 'degraded', 'module'], target.degraded.module, dir, 'the workflow file');
  }
}
