import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lifecycle/types.js';
import { createRedactor, noRedaction } from '../redact.js';
import { EMAIL_MAX_TIMELINE_ROWS, emailSubject, escapeHtml, renderEmail, renderEmailFiring } from './email.js';
import { NOTIFICATION_KINDS } from './NotificationFacts.js';
import type { NotificationFacts } from './NotificationFacts.js';
import { sampleFacts } from './sampleFacts.js';

const opts = { maxFieldChars: 1500, redact: noRedaction };
const id = sampleFacts().taskId;

describe('email subjects', () => {
  it.each([
    ['firing', {}, `[WARDEN][HIGH] code-review failed — task ${id}`],
    ['firing', { severity: 'critical', outcome: 'degraded' }, `[WARDEN][CRITICAL] code-review degraded — task ${id}`],
    ['firing', { severity: 'low', workflow: 'summarise' }, `[WARDEN][LOW] summarise failed — task ${id}`],
    ['repeat', {}, `Re: [WARDEN][HIGH] code-review failed — task ${id} (reminder)`],
    ['grouped', {}, `Re: [WARDEN][HIGH] code-review failed — task ${id} (repeated, 7 tasks)`],
    ['acknowledged', {}, `Re: [WARDEN][HIGH] code-review failed — task ${id} (acknowledged)`],
    ['resolved', {}, `Re: [WARDEN][HIGH] code-review failed — task ${id} (resolved)`],
    ['re-escalated', {}, `Re: [WARDEN][HIGH] code-review failed — task ${id} (re-escalated to CRITICAL)`],
    ['re-escalated', { previousSeverity: undefined }, `Re: [WARDEN][CRITICAL] code-review failed — task ${id} (re-escalated to CRITICAL)`],
  ] as [NotificationFacts['kind'], Partial<NotificationFacts>, string][])('%s %j → %s', (kind, overrides, subject) => {
    expect(renderEmail(sampleFacts(kind, overrides), opts).subject).toBe(subject);
  });

  it('builds the first subject from severity, workflow, outcome and task id', () => {
    expect(emailSubject({ severity: 'medium', workflow: 'triage', outcome: 'failed', taskId: 't1' })).toBe(
      '[WARDEN][MEDIUM] triage failed — task t1',
    );
  });

  it('keeps the subject on one line', () => {
    expect(renderEmail(sampleFacts('firing', { workflow: 'a\r\nBcc: x@evil.test' }), opts).subject).not.toMatch(/[\r\n]/);
  });
});

describe('the first email', () => {
  const facts = sampleFacts();
  const { text, html } = renderEmail(facts, opts);

  it.each([
    ['task id', id],
    ['workflow', 'code-review'],
    ['severity', 'HIGH'],
    ['final error', 'FALLBACK_EXHAUSTED'],
    ['error codes', 'AGENT_TIMEOUT, AUTH_FAILED, AGENT_UNAVAILABLE, FALLBACK_EXHAUSTED'],
    ['agents', 'senior-backend-developer → senior-full-stack-developer → senior-ai-engineer'],
    ['dashboard link', facts.dashboardUrl!],
    ['escalation id', facts.escalationId],
    ['input excerpt', 'acme/payments'],
  ])('text and html both carry the %s', (_what, value) => {
    expect(text).toContain(value);
    expect(html).toContain(escapeHtml(value));
  });

  it('lists the timeline one transition per line in text, one row per transition in html', () => {
    expect(text).toContain('  09:27:23.131 attempting → waiting ATTEMPT_FAILED senior-backend-developer#1 AGENT_TIMEOUT');
    expect(text).toContain('  09:27:54.621 routing → failed NO_AGENT FALLBACK_EXHAUSTED');
    expect(html.match(/<tr><td>\d\d:\d\d:\d\d\.\d{3}<\/td>/g)).toHaveLength(11);
    expect(html).toContain(
      '<td>09:27:54.621</td><td>routing</td><td>→</td><td>failed</td><td>NO_AGENT</td><td></td><td>FALLBACK_EXHAUSTED</td>',
    );
    expect(html).toContain(`<a href="${escapeHtml(facts.dashboardUrl!)}">`);
  });

  it('escapes HTML from the facts', () => {
    const { html: h } = renderEmail(sampleFacts('firing', { input: '<script>alert(1)</script>', workflow: 'a&b' }), opts);
    expect(h).not.toContain('<script>');
    expect(h).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(h).toContain('a&amp;b failed');
  });

  it('keeps the beginning and end of a long timeline', () => {
    const timeline: Transition[] = Array.from({ length: 500 }, (_, i) => ({
      seq: i + 1,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, i)).toISOString(),
      from: 'a',
      to: 'b',
      event: `E${i}`,
    }));
    const { text: t, html: h } = renderEmail(sampleFacts('firing', { timeline }), opts);
    expect(t).toContain(' E0\n');
    expect(t).toContain(' E499\n');
    expect(t).toMatch(/… \d+ more transitions/);
    expect(h.match(/<tr><td>\d\d:/g)!.length).toBeLessThan(EMAIL_MAX_TIMELINE_ROWS);
  });

  it('cuts excerpts to maxFieldChars', () => {
    const { text: t } = renderEmail(sampleFacts('firing', { input: 'q'.repeat(5000) }), { ...opts, maxFieldChars: 100 });
    expect(t).toMatch(/q+… \(\d+ more chars\)/);
    expect(t).not.toContain('q'.repeat(101));
  });
});

describe('follow-up emails', () => {
  it('state the news, the key facts and the link', () => {
    const { text, html } = renderEmail(sampleFacts('acknowledged'), opts);
    expect(text.split('\n')[0]).toBe('✅ Acknowledged by alice — “looking into the agent fleet”');
    expect(text).toContain(`Task: ${id}`);
    expect(html).toContain('Acknowledged by alice');
    expect(html).toContain(id);
  });
});

describe('renderEmailFiring for a channel that hears of the escalation late', () => {
  it('sends the full email under a fresh subject with the news at the top', () => {
    const { subject, text } = renderEmailFiring(sampleFacts('re-escalated'), opts);
    expect(subject).toBe(`[WARDEN][CRITICAL] code-review failed — task ${id}`);
    expect(text.split('\n')[2]).toBe('⬆️ Not acknowledged: re-escalated to CRITICAL');
    expect(text).toContain('Timeline (UTC, 11 transitions)');
  });
});

describe('redaction', () => {
  it('no secret survives in subject, text or html, whatever the kind', () => {
    const secret = 'smtp-p4ssw0rd-value';
    const facts = sampleFacts('firing', {
      workflow: `wf-${secret}`,
      taskId: `t-${secret}`,
      input: { password: secret },
      output: secret,
      note: secret,
      ackedBy: secret,
      resolvedBy: secret,
      dashboardUrl: `http://x.test/?q=${secret}`,
      timeline: [{ seq: 1, at: '2025-01-01T00:00:00.000Z', from: null, to: 'queued', event: secret }],
    });
    for (const kind of NOTIFICATION_KINDS) {
      const msg = renderEmail({ ...facts, kind }, { ...opts, redact: createRedactor([secret]) });
      expect(JSON.stringify(msg)).not.toContain(secret);
      expect(msg.subject).toContain('[redacted]');
    }
  });
});
