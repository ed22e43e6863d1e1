import { describe, expect, it } from 'vitest';
import { escalationSchema } from '../config/index.js';
import { fallbackChannel, nextSeverity, routeChannels } from './router.js';

const config = escalationSchema.parse({
  channels: { slack: { type: 'log' }, email: { type: 'log' }, pager: { type: 'log' }, dba: { type: 'log' }, audit: { type: 'log' } },
  severities: {
    low: { channels: [] },
    medium: { channels: ['slack'], fallbackChannels: ['audit'] },
    high: { channels: ['slack', 'email'] },
    critical: { channels: ['pager'] },
  },
  routes: [
    { match: { workflow: 'deployment', errorCode: 'AUTH_FAILED' }, channels: ['pager'], replaceSeverityChannels: true },
    { match: { agent: 'db-agent' }, channels: ['dba'], continue: true },
    { match: { agent: ['db-agent', 'other'] }, channels: ['audit'] },
    { match: { severity: 'low' }, channels: ['email'] },
  ],
});

const facts = (over: Partial<Parameters<typeof routeChannels>[1]> = {}) => ({
  workflow: 'code-review',
  severity: 'medium' as const,
  finalErrorCode: 'AGENT_ERROR',
  agentsTried: ['a'],
  ...over,
});

describe('routeChannels', () => {
  it("sends to the severity's channels when no route matches", () => {
    expect(routeChannels(config, facts())).toEqual(['slack']);
    expect(routeChannels(config, facts({ severity: 'high' }))).toEqual(['slack', 'email']);
  });

  it('lets a matching route replace the severity channels', () => {
    expect(routeChannels(config, facts({ workflow: 'deployment', finalErrorCode: 'AUTH_FAILED', severity: 'high' }))).toEqual(['pager']);
  });

  it('requires every condition of a route to match', () => {
    expect(routeChannels(config, facts({ workflow: 'deployment', finalErrorCode: 'AGENT_ERROR' }))).toEqual(['slack']);
  });

  it('stops at the first match unless the route says continue', () => {
    // db-agent matches the second route (continue) and the third (stop): the fourth is never checked.
    expect(routeChannels(config, facts({ agentsTried: ['x', 'db-agent'], severity: 'low' }))).toEqual(['dba', 'audit']);
    // Without db-agent, the low-severity route applies, adding to the (empty) low channels.
    expect(routeChannels(config, facts({ severity: 'low' }))).toEqual(['email']);
  });

  it('keeps order and drops repeats', () => {
    const c = escalationSchema.parse({ ...config, routes: [{ match: {}, channels: ['email', 'slack'] }] });
    expect(routeChannels(c, facts({ severity: 'high' }))).toEqual(['email', 'slack']);
  });
});

describe('fallbackChannel', () => {
  it("tries the severity's fallbacks first, then higher severities' channels, skipping those tried", () => {
    expect(fallbackChannel(config, 'medium', new Set(['slack']))).toBe('audit');
    expect(fallbackChannel(config, 'medium', new Set(['slack', 'audit']))).toBe('email');
    expect(fallbackChannel(config, 'medium', new Set(['slack', 'audit', 'email']))).toBe('pager');
    expect(fallbackChannel(config, 'critical', new Set(['pager']))).toBeUndefined();
  });
});

describe('nextSeverity', () => {
  it('raises one level and stops at critical', () => {
    expect(nextSeverity('low')).toBe('medium');
    expect(nextSeverity('high')).toBe('critical');
    expect(nextSeverity('critical')).toBeUndefined();
  });
});
