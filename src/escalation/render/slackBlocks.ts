/**
 * Slack Block Kit messages for escalations: the first message, the thread replies that follow
 * it, and the `chat.update` that marks the first message acknowledged or resolved.
 * @module
 */
import type { Transition } from '../../lifecycle/types.js';
import { safeJson, truncate } from '../redact.js';
import type { Redactor } from '../redact.js';
import { failureLine, failuresHeading, moreFailuresLine } from './failures.js';
import type { AttemptFailure, NotificationFacts, RenderOptions, FailedStepFacts, StepTaskFacts } from './NotificationFacts.js';
import { isSingleTaskStep, moreStepsLine, moreTasksLine, stepFields, stepHeading, stepTaskHeading } from './runSteps.js';
import { followUpLine, kindEmoji, outputLabel, summaryFields, title } from './summary.js';
import { elide, formatTransition } from './timeline.js';

/** One Block Kit block, as the Web API takes it. */
export type SlackBlock = Record<string, unknown>;

/** A message for `chat.postMessage` or `chat.update`: fallback `text` (notifications, old clients) and `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The Block Kit limits these renderers keep to (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = Object.freeze({
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextText: 2000,
  buttonUrl: 3000,
  /** Slack advises keeping the top-level `text` under 4000 characters. */
  fallbackText: 3000,
  /** A single timeline line; longer ones are cut so one odd transition cannot crowd out the rest. */
  timelineLine: 300,
  /** The facts above a step's timeline; the rest of its section is left to the timeline. */
  stepHeading: 1000,
  /** One failed attempt: the agent, the code and its message (itself cut shorter, see `FAILURE_LIMITS`). */
  failureLine: 500,
  /** A step task's failed attempts, under its timeline. */
  stepFailures: 1000,
});

/**
 * The message for `facts`: the full first message for `firing`, a compact thread reply for
 * every follow-up kind.
 *
 * @example
 * const { text, blocks } = renderSlack(facts, { maxFieldChars: 1500, redact });
 * await client.chat.postMessage({ channel, text, blocks });
 */
export function renderSlack(facts: NotificationFacts, opts: RenderOptions): SlackMessage {
  return facts.kind === 'firing' ? renderSlackFiring(facts, opts) : renderSlackReply(facts, opts);
}

/**
 * The full first message: a header, the summary fields, the timeline, the failed attempts with
 * the agents' own messages, a run's failed or degraded steps (each step task with its own
 * timeline and failed attempts), input and output excerpts, the escalation id and
 * time, and a button to the dashboard when `dashboardUrl` is set. When
 * `facts.kind` is not `firing` (a channel that hears of the escalation only now, e.g. after a
 * re-escalation), the news is stated under the header.
 */
export function renderSlackFiring(facts: NotificationFacts, opts: RenderOptions): SlackMessage {
  return fullMessage(facts, opts, '');
}

/**
 * The first message again, for `chat.update`, with its header prefixed `[ACKNOWLEDGED]` or
 * `[RESOLVED]` and who did it in the context line.
 */
export function renderSlackParentUpdate(facts: NotificationFacts, opts: RenderOptions): SlackMessage {
  const mark = facts.kind === 'resolved' ? '[RESOLVED]' : facts.kind === 'acknowledged' ? '[ACKNOWLEDGED]' : '';
  return fullMessage(facts, opts, mark);
}

/**
 * A compact thread reply, e.g. `🔁 Repeated 5 more times (tasks: a, b, c …)`, `✅ Acknowledged by alice`,
 * `🟢 Resolved: code-review succeeded again`, `⬆️ Not acknowledged: re-escalated to CRITICAL`.
 */
export function renderSlackReply(facts: NotificationFacts, opts: RenderOptions): SlackMessage {
  const line = `${kindEmoji(facts.kind)} ${followUpLine(facts)}`;
  const blocks: SlackBlock[] = [
    { type: 'section', text: mrkdwn(fit(escaped(line, opts.redact), SLACK_LIMITS.sectionText)) },
    contextBlock(facts, opts.redact),
  ];
  const button = dashboardButton(facts, opts.redact);
  if (button && (facts.kind === 'repeat' || facts.kind === 're-escalated')) blocks.push(button);
  return { text: fit(escaped(line, opts.redact), SLACK_LIMITS.fallbackText), blocks };
}

function fullMessage(facts: NotificationFacts, opts: RenderOptions, mark: string): SlackMessage {
  const { redact } = opts;
  const heading = mark ? `${mark} ${title(facts)}` : title(facts);
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(redact(heading), SLACK_LIMITS.headerText), emoji: true } },
  ];
  if (facts.kind !== 'firing' && !mark) {
    head.push({
      type: 'section',
      text: mrkdwn(fit(`*${escaped(`${kindEmoji(facts.kind)} ${followUpLine(facts)}`, redact)}*`, SLACK_LIMITS.sectionText)),
    });
  }
  head.push({
    type: 'section',
    fields: summaryFields(facts)
      .slice(0, SLACK_LIMITS.fields)
      .map((f) => {
        const value = escaped(f.value, redact);
        return mrkdwn(fit(`*${f.label}*\n${f.label === 'Task' ? `\`${value}\`` : value}`, SLACK_LIMITS.fieldText));
      }),
  });
  head.push({ type: 'section', text: mrkdwn(timelineText(facts.timeline, redact, SLACK_LIMITS.sectionText)) });
  if (facts.failures?.length) head.push(section(failuresText(facts.failures, redact, SLACK_LIMITS.sectionText)));
  const excerpts: SlackBlock[] = [];
  if (facts.input !== undefined) excerpts.push(excerptBlock('Input', facts.input, opts));
  if (facts.output !== undefined) excerpts.push(excerptBlock(outputLabel(facts), facts.output, opts));
  const tail: SlackBlock[] = [contextBlock(facts, redact, mark ? followUpLine(facts) : undefined)];
  const button = dashboardButton(facts, redact);
  if (button) tail.push(button);
  const room = SLACK_LIMITS.blocks - head.length - excerpts.length - tail.length;
  const blocks = [...head, ...stepBlocks(facts, redact, room), ...excerpts, ...tail];

  const fallback = `${heading} — task ${facts.taskId} (${facts.finalErrorCode})`;
  return { text: fit(escaped(fallback, redact), SLACK_LIMITS.fallbackText), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/**
 * A run's failed or degraded steps within `room` blocks: a section per step, and one per step
 * task with its own timeline (a step without `forEach` shares its task's section). What does not
 * fit is counted in context lines, a step's tasks under the step and the steps at the end.
 */
function stepBlocks(facts: NotificationFacts, redact: Redactor, room: number): SlackBlock[] {
  const steps = facts.steps ?? [];
  if (steps.length === 0) return [];
  const blocks: SlackBlock[] = [];
  // one block is kept back for the line that counts the steps left out
  const limit = room - 1;
  let listed = 0;
  for (const s of steps) {
    if (isSingleTaskStep(s)) {
      if (blocks.length + 1 > limit) break;
      blocks.push(section(stepText(s, redact, s.tasks[0])));
      listed++;
      continue;
    }
    const total = s.tasks.length + s.moreTasks;
    // the step's section, and a task's section or the line that counts them
    if (blocks.length + 1 + Math.min(total, 1) > limit) break;
    blocks.push(section(stepText(s, redact)));
    const left = limit - blocks.length;
    const shown = s.tasks.length <= left && total === s.tasks.length ? s.tasks.length : Math.min(s.tasks.length, left - 1);
    for (const t of s.tasks.slice(0, shown)) blocks.push(section(taskText(t, redact)));
    if (total > shown) blocks.push(contextLine(moreTasksLine(s.step, total - shown), redact));
    listed++;
  }
  const moreSteps = steps.length - listed + (facts.moreSteps ?? 0);
  if (moreSteps > 0) blocks.push(contextLine(moreStepsLine(moreSteps), redact));
  return blocks;
}

/** A step's heading and facts; with `task`, the step's one task's timeline under them. */
function stepText(s: FailedStepFacts, redact: Redactor, task?: StepTaskFacts): string {
  const lines = [`*${escaped(stepHeading(s), redact)}*`];
  const value = (label: string, v: string): string => (label === 'Task' ? `\`${codeSafe(v)}\`` : v);
  lines.push(
    stepFields(s)
      .map((f) => `*${f.label}:* ${value(f.label, escaped(f.value, redact))}`)
      .join(' · '),
  );
  const facts = fit(lines.join('\n'), SLACK_LIMITS.stepHeading);
  return task ? taskBody(facts, task, redact) : facts;
}

/** A step task's heading, its own timeline and its failed attempts. */
function taskText(t: StepTaskFacts, redact: Redactor): string {
  return taskBody(fit(`*${escaped(stepTaskHeading(t), redact)}*`, SLACK_LIMITS.stepHeading), t, redact);
}

/** `top`, then the task's timeline in what is left of one section after its failed attempts, which close it. */
function taskBody(top: string, t: StepTaskFacts, redact: Redactor): string {
  const failures = t.failures?.length ? `\n${failuresText(t.failures, redact, SLACK_LIMITS.stepFailures)}` : '';
  const timeline = timelineText(t.timeline, redact, SLACK_LIMITS.sectionText - top.length - 1 - failures.length);
  return `${top}\n${timeline}${failures}`;
}

/** A timeline as a heading and a code block within `max` characters, keeping its first and last transitions. */
function timelineText(timeline: readonly Transition[], redact: Redactor, max: number): string {
  const n = timeline.length;
  const heading = `*Timeline* (UTC, ${n} transition${n === 1 ? '' : 's'})`;
  if (n === 0) return `${heading}\n_none recorded_`;
  const more = (omitted: number): string => `… ${omitted} more transition${omitted === 1 ? '' : 's'}`;
  return codeListText(
    heading,
    timeline.map((t) => escaped(formatTransition(t), redact)),
    more,
    max,
    SLACK_LIMITS.timelineLine,
  );
}

/** Failed attempts with the agents' own messages, as a heading and a code block within `max` characters. */
function failuresText(failures: readonly AttemptFailure[], redact: Redactor, max: number): string {
  return codeListText(
    `*${failuresHeading(failures)}*`,
    failures.map((f) => escaped(failureLine(f, redact), redact)),
    moreFailuresLine,
    max,
    SLACK_LIMITS.failureLine,
  );
}

/**
 * A heading and a code block of `lines` within `max` characters: each line cut to `lineMax`, and
 * a long list kept to its first and last lines with `more(n)` in place of the rest.
 */
function codeListText(heading: string, lines: readonly string[], more: (omitted: number) => string, max: number, lineMax: number): string {
  const fitted = lines.map((l) => fit(codeSafe(l), lineMax));
  // heading, the fences, and a newline after every line
  const budget = max - heading.length - '\n```\n```'.length;
  const { head, omitted, tail } = elide(
    fitted,
    (l) => l.length + 1,
    budget,
    (k) => more(k).length + 1,
  );
  const body = omitted > 0 ? [...head, more(omitted), ...tail] : head;
  return `${heading}\n${codeBlock(body.join('\n'))}`;
}

function excerptBlock(label: string, value: unknown, opts: RenderOptions): SlackBlock {
  const heading = `*${label}*`;
  const max = Math.min(opts.maxFieldChars, SLACK_LIMITS.sectionText - heading.length - '\n```\n\n```'.length);
  // redact before cutting, so a cut never leaves half a secret; escape before cutting, so the limit holds
  const json = fit(codeSafe(escapeMrkdwn(opts.redact(jsonText(value)))), max);
  return { type: 'section', text: mrkdwn(`${heading}\n${codeBlock(json)}`) };
}

function contextBlock(facts: NotificationFacts, redact: Redactor, news?: string): SlackBlock {
  const parts = [`Escalation \`${escaped(facts.escalationId, redact)}\``, escaped(facts.at, redact)];
  if (news) parts.push(escaped(news, redact));
  return { type: 'context', elements: [mrkdwn(fit(parts.join(' · '), SLACK_LIMITS.contextText))] };
}

function dashboardButton(facts: NotificationFacts, redact: Redactor): SlackBlock | undefined {
  if (!facts.dashboardUrl) return undefined;
  const url = redact(facts.dashboardUrl);
  if (url.length > SLACK_LIMITS.buttonUrl) return undefined;
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: 'warden_open_task',
        text: { type: 'plain_text', text: 'Open task in dashboard', emoji: true },
        url,
      },
    ],
  };
}

function jsonText(value: unknown): string {
  // cut later, after escaping, so ask safeJson for everything
  return typeof value === 'string' ? value : safeJson(value, Number.MAX_SAFE_INTEGER);
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(fit(text, SLACK_LIMITS.sectionText)) };
}

function contextLine(raw: string, redact: Redactor): SlackBlock {
  return { type: 'context', elements: [mrkdwn(fit(escaped(raw, redact), SLACK_LIMITS.contextText))] };
}

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text };
}

/** Redacted, then escaped for mrkdwn. */
function escaped(raw: string, redact: Redactor): string {
  return escapeMrkdwn(redact(raw));
}

/**
 * Slack's three control characters. Unescaped, `<!channel>` in an agent's output would ping the
 * whole channel and `<https://x|y>` would forge a link.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** {@link truncate} for escaped text: a cut inside `&amp;` would leave a broken entity. */
function fit(s: string, max: number): string {
  return truncate(s, max).replace(/&[a-z]{0,3}(?=… \(\d+ more chars\)$)/, '');
}

function codeBlock(body: string): string {
  return `\`\`\`\n${body}\n\`\`\``;
}

/** Text that cannot close the code block it is placed in. */
function codeSafe(s: string): string {
  return s.replace(/```/g, '`\u200b``');
}
