/**
 * Slack Block Kit messages for escalations: the first message, the thread replies that follow
 * it, and the `chat.update` that marks the first message acknowledged or resolved.
 * @module
 */
import { safeJson, truncate } from '../redact.js';
import type { Redactor } from '../redact.js';
import type { NotificationFacts, RenderOptions } from './NotificationFacts.js';
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
 * The full first message: a header, the summary fields, the timeline, input and output excerpts,
 * the escalation id and time, and a button to the dashboard when `dashboardUrl` is set. When
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
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(redact(heading), SLACK_LIMITS.headerText), emoji: true } },
  ];
  if (facts.kind !== 'firing' && !mark) {
    blocks.push({
      type: 'section',
      text: mrkdwn(fit(`*${escaped(`${kindEmoji(facts.kind)} ${followUpLine(facts)}`, redact)}*`, SLACK_LIMITS.sectionText)),
    });
  }
  blocks.push({
    type: 'section',
    fields: summaryFields(facts)
      .slice(0, SLACK_LIMITS.fields)
      .map((f) => {
        const value = escaped(f.value, redact);
        return mrkdwn(fit(`*${f.label}*\n${f.label === 'Task' ? `\`${value}\`` : value}`, SLACK_LIMITS.fieldText));
      }),
  });
  blocks.push({ type: 'section', text: mrkdwn(timelineText(facts, redact)) });
  if (facts.input !== undefined) blocks.push(excerptBlock('Input', facts.input, opts));
  if (facts.output !== undefined) blocks.push(excerptBlock(outputLabel(facts), facts.output, opts));
  blocks.push(contextBlock(facts, redact, mark ? followUpLine(facts) : undefined));
  const button = dashboardButton(facts, redact);
  if (button) blocks.push(button);

  const fallback = `${heading} — task ${facts.taskId} (${facts.finalErrorCode})`;
  return { text: fit(escaped(fallback, redact), SLACK_LIMITS.fallbackText), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** The timeline as a code block that fits one section, keeping its first and last transitions. */
function timelineText(facts: NotificationFacts, redact: Redactor): string {
  const n = facts.timeline.length;
  const heading = `*Timeline* (UTC, ${n} transition${n === 1 ? '' : 's'})`;
  if (n === 0) return `${heading}\n_none recorded_`;
  const lines = facts.timeline.map((t) => fit(codeSafe(escaped(formatTransition(t), redact)), SLACK_LIMITS.timelineLine));
  const more = (omitted: number): string => `… ${omitted} more transition${omitted === 1 ? '' : 's'}`;
  // heading, the fences, and a newline after every line
  const budget = SLACK_LIMITS.sectionText - heading.length - '\n```\n```'.length;
  const { head, omitted, tail } = elide(
    lines,
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
