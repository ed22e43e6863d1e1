import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lifecycle/types.js';
import { createRedactor, noRedaction } from '../redact.js';
import { NOTIFICATION_KINDS } from './NotificationFacts.js';
import type { NotificationFacts, StepTaskFacts } from './NotificationFacts.js';
import { sampleFacts } from './sampleFacts.js';
import { sampleRunFacts, sampleRunSteps } from './sampleRunFacts.js';
import { SLACK_LIMITS, escapeMrkdwn, renderSlack, renderSlackFiring, renderSlackParentUpdate } from './slackBlocks.js';
import type { SlackBlock } from './slackBlocks.js';

const opts = { maxFieldChars: 1500, redact: noRedaction };

/** Every string anywhere in the blocks, with the key it sits under. */
function strings(value: unknown, key = ''): { key: string; text: string }[] {
  if (typeof value === 'string') return [{ key, text: value }];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

function blockOf(blocks: SlackBlock[], type: string): SlackBlock[] {
  return blocks.filter((b) => b['type'] === type);
}

function longTimeline(n: number): Transition[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    at: new Date(Date.UTC(2025, 2, 14, 9, 0, 0, i * 37)).toISOString(),
    from: i === 0 ? null : 'attempting',
    to: i === n - 1 ? 'failed' : 'waiting',
    event: i === n - 1 ? 'NO_AGENT' : 'ATTEMPT_FAILED',
    agent: `agent-with-a-rather-long-name-${i % 7}`,
    attempt: i,
    error: { code: 'AGENT_TIMEOUT', category: 'transient', severity: 'medium', retryable: true, message: 'slow' },
  }));
}

describe('renderSlack (first message)', () => {
  const facts = sampleFacts();
  const { text, blocks } = renderSlack(facts, opts);
  const all = JSON.stringify(blocks);

  it('opens with a header naming severity and what happened', () => {
    const [header] = blocks;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔴 HIGH · code-review failed', emoji: true } });
    expect(text).toContain(facts.taskId);
    expect(text).toContain('FALLBACK_EXHAUSTED');
  });

  it('lists task, severity, outcome, final error, error codes and agents as fields', () => {
    const fields = blocks.find((b) => Array.isArray(b['fields']))!['fields'] as { type: string; text: string }[];
    const byLabel = Object.fromEntries(fields.map((f) => [f.text.split('\n')[0], f.text.split('\n').slice(1).join('\n')]));
    expect(byLabel['*Task*']).toBe(`\`${facts.taskId}\``);
    expect(byLabel['*Severity*']).toBe('HIGH');
    expect(byLabel['*Outcome*']).toBe('failed');
    expect(byLabel['*Workflow*']).toBe('code-review');
    expect(byLabel['*Final error*']).toBe('FALLBACK_EXHAUSTED');
    expect(byLabel['*Error codes*']).toBe('AGENT_TIMEOUT, AUTH_FAILED, AGENT_UNAVAILABLE, FALLBACK_EXHAUSTED');
    expect(byLabel['*Agents tried*']).toBe('senior-backend-developer → senior-full-stack-developer → senior-ai-engineer');
    expect(byLabel['*Count*']).toBeUndefined();
    expect(fields.every((f) => f.type === 'mrkdwn')).toBe(true);
  });

  it('shows every transition of a short timeline in a code block', () => {
    const timeline = blocks.find((b) => JSON.stringify(b).includes('*Timeline*'))!;
    const body = (timeline['text'] as { text: string }).text;
    expect(body).toContain('(UTC, 11 transitions)');
    expect(body).toContain('```\n09:26:53.120 ∅ → queued SUBMIT\n');
    expect(body).toContain('09:27:54.530 attempting → routing ATTEMPT_FAILED senior-full-stack-developer#1 AUTH_FAILED');
    expect(body).toContain('09:27:54.621 routing → failed NO_AGENT FALLBACK_EXHAUSTED\n```');
    expect(body).not.toContain('more transition');
  });

  it('carries an input excerpt, the escalation id and time, and a dashboard button', () => {
    expect(all).toContain('*Input*');
    expect(all).toContain('acme/payments');
    expect(JSON.stringify(blockOf(blocks, 'context'))).toContain(facts.escalationId);
    expect(JSON.stringify(blockOf(blocks, 'context'))).toContain(facts.at);
    const [actions] = blockOf(blocks, 'actions');
    expect(actions).toMatchObject({ elements: [{ type: 'button', url: facts.dashboardUrl }] });
  });

  it('leaves out the button and the output section when there is nothing to link or show', () => {
    const { dashboardUrl: _, ...rest } = sampleFacts();
    const b = renderSlack(rest as NotificationFacts, opts).blocks;
    expect(blockOf(b, 'actions')).toEqual([]);
    expect(JSON.stringify(b)).not.toContain('Degraded output');
    const degraded = renderSlack(sampleFacts('firing', { outcome: 'degraded', output: { status: 'degraded' } }), opts);
    expect(degraded.blocks[0]).toMatchObject({ text: { text: '🔴 HIGH · code-review degraded' } });
    expect(JSON.stringify(degraded.blocks)).toContain('*Degraded output*');
  });

  it('shows the count when tasks were grouped', () => {
    const b = renderSlack(sampleFacts('firing', { count: 4 }), opts).blocks;
    expect(JSON.stringify(b)).toContain('*Count*\\n4 tasks');
  });
});

describe('the failed attempts in the first Slack message', () => {
  const section = (b: SlackBlock[]) => strings(b).find((s) => s.text.startsWith('*Failed attempts'))?.text;

  it("lists each failed attempt with the agent's own message, after the timeline", () => {
    const { blocks } = renderSlack(sampleFacts(), opts);
    const body = section(blocks)!;
    expect(body).toContain('*Failed attempts (4)*');
    expect(body).toContain('senior-backend-developer#1 AGENT_TIMEOUT: no answer within 30000 ms');
    expect(body).toContain('senior-full-stack-developer#1 AUTH_FAILED: HTTP 401 Unauthorized: {"error":"invalid_api_key"');
    expect(body).toContain('senior-ai-engineer#1 AGENT_UNAVAILABLE: HTTP 503 Service Unavailable: model review-large is overloaded');
    const all = strings(blocks).map((s) => s.text);
    expect(all.findIndex((t) => t.startsWith('*Failed attempts'))).toBeGreaterThan(all.findIndex((t) => t.startsWith('*Timeline*')));
  });

  it('has no such section when no attempt failed', () => {
    const { failures: _, ...facts } = sampleFacts();
    expect(section(renderSlack(facts, opts).blocks)).toBeUndefined();
  });

  it('redacts, escapes and cuts each message, and keeps a long list within one section', () => {
    const secret = 'sk-agent-secret-77c1d2';
    const failures = Array.from({ length: 200 }, (_, i) => ({
      agent: 'reviewer',
      attempt: i + 1,
      code: 'AGENT_HTTP_5XX',
      message: `<!channel> upstream said ${secret} is bad ${'stack '.repeat(200)}`,
    }));
    const { blocks } = renderSlack(sampleFacts('firing', { failures }), { ...opts, redact: createRedactor([secret]) });
    const body = section(blocks)!;
    expect(body).not.toContain(secret);
    expect(body).not.toContain('<!channel>');
    expect(body).toContain('reviewer#1 AGENT_HTTP_5XX: &lt;!channel&gt; upstream said [redacted] is bad');
    expect(body).toContain('reviewer#200 AGENT_HTTP_5XX');
    expect(body).toMatch(/… \d+ more failed attempts/);
    expect(body.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    for (const line of body.split('\n')) expect(line.length).toBeLessThanOrEqual(SLACK_LIMITS.failureLine);
  });

  it("lists a run's step task's failed attempts under its timeline", () => {
    const { blocks } = renderSlack(sampleRunFacts(), opts);
    const docs = strings(blocks).find((s) => s.text.includes('*Step docs — failed*'))!.text;
    expect(docs).toContain('writer#1 AUTH_FAILED: HTTP 401 Unauthorized: {"error":"token_expired"');
    expect(docs.indexOf('*Failed attempts (2)*')).toBeGreaterThan(docs.indexOf('*Timeline*'));
    expect(docs.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });
});

describe('renderSlackFiring for a channel that hears of the escalation late', () => {
  it('sends the full message with the news under the header', () => {
    const { blocks } = renderSlackFiring(sampleFacts('re-escalated'), opts);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: '🚨 CRITICAL · code-review failed' } });
    expect(blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*⬆️ Not acknowledged: re-escalated to CRITICAL*' } });
    expect(JSON.stringify(blocks)).toContain('*Timeline*');
  });
});

describe('Slack limits', () => {
  it('keeps a 500-transition timeline within 50 blocks and 3000 characters, first and last transitions included', () => {
    const timeline = longTimeline(500);
    const huge = { content: 'z'.repeat(20_000) };
    const { text, blocks } = renderSlack(sampleFacts('firing', { timeline, input: huge, output: huge }), {
      ...opts,
      maxFieldChars: 10_000,
    });
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const s of strings(blocks)) {
      expect(s.text.length).toBeLessThanOrEqual(s.key === 'url' ? SLACK_LIMITS.buttonUrl : SLACK_LIMITS.sectionText);
    }
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    const body = strings(blocks).find((s) => s.text.includes('*Timeline*'))!.text;
    expect(body).toContain('(UTC, 500 transitions)');
    expect(body).toMatch(/… \d+ more transitions/);
    expect(body).toContain('∅ → waiting ATTEMPT_FAILED agent-with-a-rather-long-name-0#0');
    expect(body).toContain('attempting → failed NO_AGENT agent-with-a-rather-long-name-2#499 AGENT_TIMEOUT\n```');
    const omitted = Number(/… (\d+) more transitions/.exec(body)![1]);
    const shown = body.split('\n').filter((l) => l.includes(' → ')).length;
    expect(shown + omitted).toBe(500);
  });

  it('cuts excerpts to maxFieldChars', () => {
    const { blocks } = renderSlack(sampleFacts('firing', { input: 'q'.repeat(5000) }), { ...opts, maxFieldChars: 200 });
    const input = strings(blocks).find((s) => s.text.startsWith('*Input*'))!.text;
    expect(input).toMatch(/… \(\d+ more chars\)\n```$/);
    expect(input.length).toBeLessThan(260);
  });

  it('keeps the header within 150 characters', () => {
    const { blocks } = renderSlack(sampleFacts('firing', { workflow: 'w'.repeat(400) }), opts);
    expect((blocks[0]!['text'] as { text: string }).text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  });
});

describe('escaping and redaction', () => {
  it('escapes Slack control characters so agent output cannot ping the channel or forge links', () => {
    const { blocks } = renderSlack(sampleFacts('firing', { input: { content: '<!channel> <https://evil.test|click> a && b' } }), opts);
    const all = strings(blocks)
      .map((s) => s.text)
      .join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt; &lt;https://evil.test|click&gt; a &amp;&amp; b');
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('keeps code fences in the content from closing the code block', () => {
    const { blocks } = renderSlack(sampleFacts('firing', { input: 'before ``` after' }), opts);
    const input = strings(blocks).find((s) => s.text.startsWith('*Input*'))!.text;
    expect(input.match(/```/g)).toHaveLength(2);
  });

  it('redacts secrets everywhere: header, fields, timeline, excerpts, links', () => {
    const secret = 'xoxb-super-secret-token';
    const facts = sampleFacts('firing', {
      workflow: `wf-${secret}`,
      input: { apiKey: secret },
      output: `answer with ${secret}`,
      dashboardUrl: `http://127.0.0.1:8080/#/tasks/x?t=${secret}`,
      timeline: [{ seq: 1, at: '2025-03-14T09:00:00.000Z', from: null, to: 'queued', event: `E_${secret}` }],
    });
    for (const kind of NOTIFICATION_KINDS) {
      const msg = renderSlack(
        { ...facts, kind, note: secret, ackedBy: secret, resolvedBy: secret },
        { ...opts, redact: createRedactor([secret]) },
      );
      const all = JSON.stringify(msg);
      expect(all).not.toContain(secret);
      if (kind !== 'grouped') expect(all).toContain('[redacted]');
    }
  });
});

describe('follow-ups', () => {
  const reply = (kind: NotificationFacts['kind'], overrides: Partial<NotificationFacts> = {}) =>
    renderSlack(sampleFacts(kind, overrides), opts);

  it.each([
    ['grouped', '🔁 Repeated 6 more times (tasks: tsk_01J9ZK7C4N, tsk_01J9ZK7D9P, tsk_01J9ZK7F2Q, tsk_01J9ZK7H5R, tsk_01J9ZK7K8S …)'],
    ['acknowledged', '✅ Acknowledged by alice — “looking into the agent fleet”'],
    ['resolved', '🟢 Resolved: code-review succeeded again'],
    ['re-escalated', '⬆️ Not acknowledged: re-escalated to CRITICAL'],
    ['repeat', '🔔 Still not acknowledged: code-review failed'],
  ] as const)('a %s follow-up is one compact line', (kind, line) => {
    const { text, blocks } = reply(kind);
    expect(text).toBe(line);
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: line } });
    expect(blocks.length).toBeLessThanOrEqual(3);
    expect(blockOf(blocks, 'header')).toEqual([]);
  });

  it('names who resolved it when a human did', () => {
    expect(reply('resolved', { resolvedBy: 'bob' }).text).toBe('🟢 Resolved by bob');
    // who acknowledged it earlier did not resolve it
    expect(reply('resolved', { ackedBy: 'alice' }).text).toBe('🟢 Resolved: code-review succeeded again');
  });

  it('says 1 more time, not 1 more times', () => {
    expect(reply('grouped', { count: 2, taskIds: [sampleFacts().taskId, 'tsk_b'] }).text).toBe('🔁 Repeated 1 more time (tasks: tsk_b)');
  });

  it('marks the parent acknowledged or resolved for chat.update, keeping its facts', () => {
    const acked = renderSlackParentUpdate(sampleFacts('acknowledged'), opts);
    expect(acked.blocks[0]).toMatchObject({ type: 'header', text: { text: '[ACKNOWLEDGED] 🔴 HIGH · code-review failed' } });
    expect(JSON.stringify(acked.blocks)).toContain('Acknowledged by alice');
    expect(JSON.stringify(acked.blocks)).toContain('*Timeline*');
    const resolved = renderSlackParentUpdate(sampleFacts('resolved'), opts);
    expect(resolved.blocks[0]).toMatchObject({ text: { text: '[RESOLVED] 🔴 HIGH · code-review failed' } });
    expect(resolved.text.startsWith('[RESOLVED]')).toBe(true);
  });
});

describe("a run's failed or degraded steps", () => {
  const facts = sampleRunFacts();
  const { blocks } = renderSlack(facts, opts);
  const texts = blocks.map((b) => (b['text'] as { text?: string } | undefined)?.text ?? '');
  const indexOf = (start: string) => texts.findIndex((t) => t.startsWith(start));

  it('lists the bad steps in the summary fields', () => {
    expect(JSON.stringify(blocks[1])).toContain('*Steps*\\nbuild degraded, docs failed');
  });

  it("places each step under the run's own timeline, before the excerpts", () => {
    const order = ['*Timeline*', '*Step build — degraded*', '*Task run_', '*Step docs — failed*', '*Input*', '*Degraded output*'].map(
      indexOf,
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(texts[indexOf('*Timeline*')]).toContain('running → running CHILD_ENDED build[4] degraded');
  });

  it("shows a forEach step's facts, then its degraded item with the item's own timeline", () => {
    expect(texts[indexOf('*Step build')]).toBe(
      '*Step build — degraded*\n*Tasks:* 1 of 6 failed or degraded · *Error codes:* AGENT_TIMEOUT, FALLBACK_EXHAUSTED · *Agents tried:* builder → builder-lite',
    );
    const item = texts[indexOf('*Task run_')]!;
    expect(item.split('\n')[0]).toBe(
      `*Task ${facts.taskId}.build.4 (item 4) — degraded · AGENT_TIMEOUT, FALLBACK_EXHAUSTED · builder → builder-lite*`,
    );
    expect(item).toContain('*Timeline* (UTC, 9 transitions)\n```\n09:25:48.325 ∅ → queued SUBMIT\n');
    expect(item).toContain('degrading → degraded DEGRADED FALLBACK_EXHAUSTED\n```');
  });

  it("shows a step without forEach as one section: its task, its facts and the task's timeline", () => {
    const docs = texts[indexOf('*Step docs')]!;
    expect(docs).toContain(
      `*Task:* \`${facts.taskId}.docs\` · *Error codes:* AUTH_FAILED, FALLBACK_EXHAUSTED · *Agents tried:* writer → writer-mini`,
    );
    expect(docs).toContain('*Timeline* (UTC, 7 transitions)');
    expect(docs).toContain('routing → failed NO_AGENT FALLBACK_EXHAUSTED\n```');
    expect(texts.filter((t) => t.startsWith(`*Task ${facts.taskId}.docs`))).toEqual([]);
  });

  it('counts the failed items left out of a step', () => {
    const [build] = sampleRunSteps();
    const many = { ...build!, status: 'failed' as const, taskCount: 40, tasks: manyTasks(3, 10), moreTasks: 37 };
    const b = renderSlack(sampleRunFacts('firing', { steps: [many] }), opts).blocks;
    expect(b.filter((x) => JSON.stringify(x).includes('*Task run_'))).toHaveLength(3);
    expect(JSON.stringify(blockOf(b, 'context'))).toContain('… and 37 more failed or degraded tasks of build');
    expect(JSON.stringify(b)).toContain('*Tasks:* 40 of 40 failed or degraded');
  });

  it('says when a step failed before starting any task, with its error', () => {
    const step = {
      step: 'plan',
      status: 'failed' as const,
      taskCount: 0,
      errorCodes: ['EXPRESSION_FAILED'],
      agentsTried: [],
      tasks: [],
      moreTasks: 0,
    };
    const b = renderSlack(
      sampleRunFacts('firing', { steps: [{ ...step, error: { code: 'EXPRESSION_FAILED', message: 'not an array' } }] }),
      opts,
    );
    expect(JSON.stringify(b.blocks)).toContain(
      '*Tasks:* none started · *Error codes:* EXPRESSION_FAILED · *Agents tried:* — · *Error:* EXPRESSION_FAILED: not an array',
    );
  });

  it('keeps many steps of many long timelines within 50 blocks and 3000 characters, counting what it leaves out', () => {
    // more steps than the facts ever list, so the block budget, not the facts, does the cutting
    const steps = Array.from({ length: 12 }, (_, i) => ({
      ...sampleRunSteps()[0]!,
      step: `step-${i}`,
      status: 'failed' as const,
      taskCount: 100,
      tasks: manyTasks(3, 500),
      moreTasks: 97,
    }));
    const { blocks: b } = renderSlack(sampleRunFacts('firing', { steps, moreSteps: 4, timeline: longTimeline(500) }), opts);
    expect(b.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const s of strings(b))
      expect(s.text.length).toBeLessThanOrEqual(s.key === 'url' ? SLACK_LIMITS.buttonUrl : SLACK_LIMITS.sectionText);
    // the escalation's context line and the dashboard button survive
    expect(b.at(-1)).toMatchObject({ type: 'actions' });
    expect(JSON.stringify(b.at(-2))).toContain('Escalation');
    const all = strings(b).map((s) => s.text);
    const taskSections = all.filter((t) => t.startsWith('*Task run_'));
    expect(taskSections.length).toBeGreaterThan(0);
    for (const t of taskSections) {
      expect(t).toContain('(UTC, 500 transitions)');
      expect(t).toMatch(/… \d+ more transitions/);
    }
    // every step is either shown with its tasks shown or counted, or counted among the steps left out
    const shownSteps = all.filter((t) => t.startsWith('*Step step-')).length;
    const countedSteps = Number(/… and (\d+) more failed or degraded steps/.exec(all.join('\n'))![1]);
    expect(shownSteps).toBeLessThan(12);
    expect(shownSteps + countedSteps).toBe(12 + 4);
    const countedTasks = [...all.join('\n').matchAll(/… and (\d+) more failed or degraded tasks of step-/g)].map((m) => Number(m[1]));
    expect(taskSections.length + countedTasks.reduce((a, n) => a + n, 0)).toBe(shownSteps * 100);
  });

  it('escapes and redacts every step text', () => {
    const secret = 'xoxb-step-secret-token';
    const [build, docs] = sampleRunSteps();
    const steps = [
      { ...build!, step: `build-${secret}`, tasks: build!.tasks.map((t) => ({ ...t, taskId: `t-${secret}`, agentsTried: [secret] })) },
      {
        ...docs!,
        error: { code: 'E', message: `<!channel> ${secret}` },
        tasks: docs!.tasks.map((t) => ({ ...t, timeline: [{ ...t.timeline[0]!, event: secret }] })),
      },
    ];
    const all = JSON.stringify(renderSlack(sampleRunFacts('firing', { steps }), { ...opts, redact: createRedactor([secret]) }));
    expect(all).not.toContain(secret);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt; [redacted]');
  });
});

/** `n` failed items, each with a timeline of `length` transitions. */
function manyTasks(n: number, length: number): StepTaskFacts[] {
  return Array.from({ length: n }, (_, i) => ({
    taskId: `run_1.build.${i}`,
    index: i,
    status: 'failed' as const,
    errorCodes: ['AGENT_TIMEOUT'],
    agentsTried: ['builder'],
    timeline: longTimeline(length),
  }));
}
