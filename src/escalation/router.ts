import type { EscalationConfig } from '../config/index.js';
import type { Severity } from '../errors/index.js';

/** What routing looks at. */
export interface RouteFacts {
  workflow: string;
  severity: Severity;
  finalErrorCode: string;
  agentsTried: readonly string[];
}

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

const matches = (want: string | readonly string[] | undefined, have: readonly string[]): boolean =>
  want === undefined || [want].flat().some((w) => have.includes(w));

/**
 * The channels an escalation goes to: the extra routes first (first match wins unless it says
 * `continue`, as in Alertmanager), then the severity's own channels unless a matching route
 * replaces them. Order is kept and repeats are dropped. Low severity with no channels means
 * the log only.
 */
export function routeChannels(config: EscalationConfig, facts: RouteFacts): string[] {
  const out: string[] = [];
  let replace = false;
  for (const route of config.routes) {
    const m = route.match;
    const hit =
      matches(m.workflow, [facts.workflow]) &&
      matches(m.agent, facts.agentsTried) &&
      matches(m.errorCode, [facts.finalErrorCode]) &&
      matches(m.severity, [facts.severity]);
    if (!hit) continue;
    out.push(...route.channels);
    replace ||= route.replaceSeverityChannels;
    if (!route.continue) break;
  }
  if (!replace) out.push(...config.severities[facts.severity].channels);
  return [...new Set(out)];
}

/** The next channel to try when `failed` stays down: the severity's fallbacks, then higher severities' channels. */
export function fallbackChannel(config: EscalationConfig, severity: Severity, tried: ReadonlySet<string>): string | undefined {
  const candidates = [
    ...config.severities[severity].fallbackChannels,
    ...SEVERITIES.slice(SEVERITIES.indexOf(severity) + 1).flatMap((s) => config.severities[s].channels),
  ];
  return candidates.find((c) => !tried.has(c));
}

/** The next severity up, or undefined at critical. */
export function nextSeverity(s: Severity): Severity | undefined {
  return SEVERITIES[SEVERITIES.indexOf(s) + 1];
}
