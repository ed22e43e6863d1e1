import { describe, expect, it } from 'vitest';
import { createRedactor, noRedaction } from '../redact.js';
import { FAILURE_LIMITS, failureLine, listedFailures, moreFailuresLine } from './failures.js';
import type { AttemptFailure } from './NotificationFacts.js';

const failure = (attempt: number, message: string): AttemptFailure => ({ agent: 'reviewer', attempt, code: 'AGENT_HTTP_5XX', message });

describe('failureLine', () => {
  it("puts the agent, the attempt, the code and the agent's own message on one line", () => {
    expect(failureLine(failure(2, 'HTTP 502 Bad Gateway:\n  upstream model\toverloaded'), noRedaction)).toBe(
      'reviewer#2 AGENT_HTTP_5XX: HTTP 502 Bad Gateway: upstream model overloaded',
    );
  });

  it('leaves out the colon when the attempt came with no message', () => {
    expect(failureLine(failure(1, '  '), noRedaction)).toBe('reviewer#1 AGENT_HTTP_5XX');
  });

  it('redacts the message before cutting it, so a cut never leaves part of a secret', () => {
    const secret = 'sk-live-0123456789abcdef';
    const message = `${'x'.repeat(FAILURE_LIMITS.messageChars - 10)} key ${secret} rejected`;
    const line = failureLine(failure(1, message), createRedactor([secret]));
    expect(line).not.toContain(secret.slice(0, 8));
    expect(line).toMatch(/… \(\d+ more chars\)$/);
    expect(line.length).toBeLessThanOrEqual('reviewer#1 AGENT_HTTP_5XX: '.length + FAILURE_LIMITS.messageChars);
  });
});

describe('listedFailures', () => {
  it('lists every attempt when they fit', () => {
    const all = [failure(1, 'a'), failure(2, 'b')];
    expect(listedFailures(all, 5)).toEqual(all);
  });

  it('keeps the first and the last attempts of a long list and counts those between', () => {
    const all = Array.from({ length: 30 }, (_, i) => failure(i + 1, `m${i + 1}`));
    const rows = listedFailures(all, 6);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual(all[0]);
    expect(rows.at(-1)).toEqual(all[29]);
    const more = rows.find((r) => typeof r === 'string')!;
    const shown = rows.filter((r) => typeof r !== 'string').length;
    expect(more).toBe(moreFailuresLine(30 - shown));
  });
});
