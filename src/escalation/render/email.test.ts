import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lifecycle/types.js';
import { createRedactor, noRedaction } from '../redact.js';
import {
  EMAIL_MAX_FAILURES,
  EMAIL_MAX_STEP_TIMELINE_ROWS,
  EMAIL_MAX_TIMELINE_ROWS,
  emailSubject,
  escapeHtml,
  renderEmail,
  renderEmailFiring,
} from './email.js';
import { NOTIFICATION_KINDS } from './NotificationFacts.js';
import type { NotificationFacts } from './NotificationFacts.js';
import { sampleFacts } from './sampleFacts.js';
import { sampleRunFacts, sampleRunSteps } from './sampleRunFacts.js';

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

  it("lists each failed attempt with the agent's own message after the timeline, in text and html", () => {
    expect(text).toContain(
      [
        'Failed attempts (4):',
        '  senior-backend-developer#1 AGENT_TIMEOUT: no answer within 30000 ms',
        '  senior-backend-developer#2 AGENT_TIMEOUT: no answer within 30000 ms',
        '  senior-full-stack-developer#1 AUTH_FAILED: HTTP 401 Unauthorized: {"error":"invalid_api_key","message":"the key was revoked on 2025-03-13"}',
        '  senior-ai-engineer#1 AGENT_UNAVAILABLE: HTTP 503 Service Unavailable: model review-large is overloaded, retry in 30 s',
      ].join('\n'),
    );
    expect(text.indexOf('Failed attempts (4):')).toBeGreaterThan(text.indexOf('Timeline (UTC'));
    expect(html).toContain('<h3>Failed attempts (4)</h3>');
    expect(html).toContain(
      '<tr><td valign="top"><code>senior-ai-engineer#1</code></td><td valign="top"><code>AGENT_UNAVAILABLE</code></td><td valign="top">HTTP 503 Service Unavailable: model review-large is overloaded, retry in 30 s</td></tr>',
    );
  });

  it('redacts, escapes and cuts the messages, and keeps the first and last of many attempts', () => {
    const secret = 'sk-agent-secret-77c1d2';
    const failures = Array.from({ length: 50 }, (_, i) => ({
      agent: 'reviewer',
      attempt: i + 1,
      code: 'AGENT_HTTP_5XX',
      message: `<b>bad gateway</b> key=${secret} ${'trace '.repeat(100)}`,
    }));
    const { text: t, html: h } = renderEmail(sampleFacts('firing', { failures }), { ...opts, redact: createRedactor([secret]) });
    expect(t + h).not.toContain(secret);
    expect(h).not.toContain('<b>bad gateway</b>');
    expect(h).toContain('&lt;b&gt;bad gateway&lt;/b&gt; key=[redacted]');
    const listed = t.split('\n').filter((l) => l.startsWith('  reviewer#'));
    expect(listed.length).toBe(EMAIL_MAX_FAILURES - 1);
    expect(listed[0]).toMatch(/^ {2}reviewer#1 AGENT_HTTP_5XX: /);
    expect(listed.at(-1)).toMatch(/^ {2}reviewer#50 AGENT_HTTP_5XX: /);
    expect(t).toMatch(/\n {2}… \d+ more failed attempts\n/);
    for (const l of listed) expect(l).toMatch(/… \(\d+ more chars\)$/);
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

describe("a run's failed or degraded steps in the first email", () => {
  const facts = sampleRunFacts();
  const { text, html } = renderEmail(facts, opts);

  it("lists each step after the run's own timeline and before the excerpts, in text and html", () => {
    const order = [
      'Timeline (UTC, 15 transitions):',
      'Failed or degraded steps (2):',
      'Step build — degraded',
      'Step docs — failed',
      'Input:',
    ];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain('Steps:        build degraded, docs failed');
    expect(html).toContain('<h3>Failed or degraded steps (2)</h3>');
    expect(html.indexOf('<h4 style="margin:16px 0 4px">Step build — degraded</h4>')).toBeLessThan(html.indexOf('<h3>Input</h3>'));
    expect(html).toContain('<td>CHILD_ENDED build[4] degraded</td>');
  });

  it("gives a forEach step's facts, then its degraded item's heading and own timeline", () => {
    expect(text).toContain(
      [
        'Step build — degraded',
        '  Tasks:        1 of 6 failed or degraded',
        '  Error codes:  AGENT_TIMEOUT, FALLBACK_EXHAUSTED',
        '  Agents tried: builder → builder-lite',
        `  Task ${facts.taskId}.build.4 (item 4) — degraded · AGENT_TIMEOUT, FALLBACK_EXHAUSTED · builder → builder-lite`,
        '    Timeline (UTC, 9 transitions):',
        '      09:25:48.325 ∅ → queued SUBMIT',
      ].join('\n'),
    );
    expect(text).toContain('      09:26:49.583 degrading → degraded DEGRADED FALLBACK_EXHAUSTED\n');
    expect(html).toContain(
      `<strong>Task ${facts.taskId}.build.4 (item 4) — degraded · AGENT_TIMEOUT, FALLBACK_EXHAUSTED · builder → builder-lite</strong>`,
    );
    expect(html).toContain(
      '<td>09:26:49.583</td><td>degrading</td><td>→</td><td>degraded</td><td>DEGRADED</td><td></td><td>FALLBACK_EXHAUSTED</td>',
    );
  });

  it("lists each step task's failed attempts under its timeline", () => {
    expect(text).toContain(
      [
        '      09:26:49.583 degrading → degraded DEGRADED FALLBACK_EXHAUSTED',
        '    Failed attempts (3):',
        '      builder#1 AGENT_TIMEOUT: no answer within 30000 ms',
        '      builder#2 AGENT_TIMEOUT: no answer within 30000 ms',
        '      builder-lite#1 AGENT_TIMEOUT: no answer within 30000 ms',
      ].join('\n'),
    );
    expect(text).toContain('    writer-mini#1 AUTH_FAILED: HTTP 401 Unauthorized: {"error":"token_expired"');
    expect(html).toContain('<td valign="top"><code>writer-mini#1</code></td>');
  });

  it("gives a step without forEach its task and the task's timeline, without a heading of its own", () => {
    expect(text).toContain(
      [
        'Step docs — failed',
        `  Task:         ${facts.taskId}.docs`,
        '  Error codes:  AUTH_FAILED, FALLBACK_EXHAUSTED',
        '  Agents tried: writer → writer-mini',
        '  Timeline (UTC, 7 transitions):',
        '    09:25:48.326 ∅ → queued SUBMIT',
      ].join('\n'),
    );
    expect(text).not.toContain(`Task ${facts.taskId}.docs —`);
    expect(html).toContain(`<td><code>${facts.taskId}.docs</code></td>`);
  });

  it("counts the failed items and steps left out, and keeps each step task's timeline short", () => {
    const [build] = sampleRunSteps();
    const timeline: Transition[] = Array.from({ length: 300 }, (_, i) => ({
      seq: i + 1,
      at: '2025-01-01T00:00:00.000Z',
      from: 'a',
      to: 'b',
      event: `E${i}`,
    }));
    const steps = [{ ...build!, tasks: build!.tasks.map((t) => ({ ...t, timeline })), moreTasks: 37 }];
    const { text: t, html: h } = renderEmail(sampleRunFacts('firing', { steps, moreSteps: 2 }), opts);
    expect(t).toContain('  Tasks:        38 of 38 failed or degraded');
    expect(t).toContain(`  … and 37 more failed or degraded tasks of build\n\n… and 2 more failed or degraded steps`);
    expect(h).toContain('<p><em>… and 37 more failed or degraded tasks of build</em></p>');
    expect(h).toContain('<h3>Failed or degraded steps (3)</h3>');
    expect(t).toContain(' E0\n');
    expect(t).toContain(' E299\n');
    const stepRows = t.split('\n').filter((l) => /^ {6}\d\d:/.test(l));
    expect(stepRows.length).toBeLessThanOrEqual(EMAIL_MAX_STEP_TIMELINE_ROWS);
  });

  it('escapes and redacts every step text', () => {
    const secret = 'smtp-step-secret-value';
    const [build, docs] = sampleRunSteps();
    const steps = [
      { ...build!, step: `build-${secret}`, tasks: build!.tasks.map((t) => ({ ...t, taskId: `t-${secret}`, agentsTried: [secret] })) },
      {
        ...docs!,
        error: { code: 'E', message: `<script>${secret}</script>` },
        tasks: docs!.tasks.map((t) => ({ ...t, timeline: [{ ...t.timeline[0]!, event: secret }] })),
      },
    ];
    const msg = renderEmail(sampleRunFacts('firing', { steps }), { ...opts, redact: createRedactor([secret]) });
    expect(JSON.stringify(msg)).not.toContain(secret);
    expect(msg.html).not.toContain('<script>');
    expect(msg.html).toContain('E: &lt;script&gt;[redacted]&lt;/script&gt;');
    expect(msg.text).toContain('Step build-[redacted] — degraded');
  });
});
