/**
 * What the supervisor watches, built from the config: one component per agent with a
 * `healthCheck` or a managed `process`, and one per system check, each with its check, its
 * timing and its recovery ladder.
 * @module
 */
import type { AgentConfig, RecoveryStep, SystemCheckName } from '../config/index.js';
import { channelsCheck } from './checks/channelsCheck.js';
import { commandCheck } from './checks/commandCheck.js';
import { eventLoopCheck } from './checks/eventLoopCheck.js';
import type { CheckTiming, HealthCheck } from './checks/HealthCheck.js';
import { heapCheck } from './checks/heapCheck.js';
import { httpCheck } from './checks/httpCheck.js';
import { passiveCheck } from './checks/passiveCheck.js';
import { processCheck } from './checks/processCheck.js';
import { queueCheck } from './checks/queueCheck.js';
import { storeCheck } from './checks/storeCheck.js';
import { Component } from './Component.js';
import { ManagedProcess } from './ManagedProcess.js';
import type { SupervisorHost } from './SupervisorHost.js';

/**
 * Every component of `host`, agents first (in config order), then the system checks. Managed
 * processes are created, not started. `now` (clock ms) is when watching starts: the startup
 * grace runs from there.
 * @internal
 */
export function buildComponents(host: SupervisorHost, env: Record<string, string | undefined>, now: number): Component[] {
  const agents = Object.entries(host.agentConfigs)
    .filter(([, agent]) => agent.healthCheck || agent.process)
    .map(([id, agent]) => agentComponent(host, env, id, agent, now));
  return [...agents, ...host.config.checks.map((name) => systemComponent(host, name, now))];
}

function agentComponent(
  host: SupervisorHost,
  env: Record<string, string | undefined>,
  id: string,
  agent: AgentConfig,
  now: number,
): Component {
  const { clock, logger, configDir, config } = host;
  const slot = host.agents.get(id);
  const hc = agent.healthCheck;
  const proc = agent.process ? new ManagedProcess({ id, config: agent.process, configDir, env, clock, logger }) : undefined;
  let check: HealthCheck;
  let timing: CheckTiming;
  if (hc) {
    timing = {
      intervalMs: hc.intervalMs,
      timeoutMs: hc.timeoutMs,
      failureThreshold: hc.failureThreshold,
      successThreshold: hc.successThreshold,
      startupGraceMs: hc.startupGraceMs,
    };
    if (hc.type === 'http') check = httpCheck(hc.url);
    else if (hc.type === 'command') check = commandCheck(hc.command, hc.args, configDir);
    else check = passiveCheck(slot!, clock, hc);
  } else {
    // A managed agent without a probe is judged by whether its program runs.
    check = processCheck(proc!);
    timing = { intervalMs: config.intervalMs, timeoutMs: config.timeoutMs, failureThreshold: 1, successThreshold: 1, startupGraceMs: 0 };
  }
  const ladder: readonly RecoveryStep[] = agent.recovery ?? (proc ? [{ strategy: 'restart-process' }] : []);
  return new Component({
    name: `agent:${id}`,
    kind: 'agent',
    agent: id,
    check,
    timing,
    ladder,
    severity: agent.escalateSeverity,
    ...(slot ? { slot } : {}),
    ...(proc ? { process: proc } : {}),
    historySize: config.historySize,
    startedAt: now,
  });
}

function systemComponent(host: SupervisorHost, name: SystemCheckName, now: number): Component {
  const { config: cfg, store, clock, agents, escalations } = host;
  const check: HealthCheck =
    name === 'event-loop'
      ? eventLoopCheck(cfg.eventLoopDelayMs)
      : name === 'heap'
        ? heapCheck({ usedRatio: cfg.heapUsedRatio, limitBytes: cfg.heapLimitBytes })
        : name === 'store'
          ? storeCheck(store, clock)
          : name === 'channels'
            ? channelsCheck(escalations, clock, cfg.channelsIntervalMs)
            : queueCheck(store, agents, clock, cfg.maxQueueAgeMs);
  return new Component({
    name: `system:${name}`,
    kind: 'system',
    check,
    timing: {
      intervalMs: name === 'channels' ? cfg.channelsIntervalMs : cfg.intervalMs,
      timeoutMs: cfg.timeoutMs,
      failureThreshold: cfg.failureThreshold,
      successThreshold: cfg.successThreshold,
      startupGraceMs: 0,
    },
    ladder: cfg.recovery[name],
    severity: cfg.escalateSeverity,
    historySize: cfg.historySize,
    startedAt: now,
  });
}
