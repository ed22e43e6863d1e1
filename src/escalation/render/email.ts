/**
 * Escalation emails: the subject, and text and HTML parts carrying the same facts as the Slack
 * message.
 * @module
 */
import type { Transition } from '../../lifecycle/types.js';
import { safeJson, truncate } from '../redact.js';
import type { NotificationFacts, NotificationKind, RenderOptions } from './NotificationFacts.js';
import { followUpLine, headline, kindEmoji, outputLabel, summaryFields, title } from './summary.js';
import { elide, formatTransition, timelineRow } from './timeline.js';

/** An email's subject and its two bodies. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Email has no hard size limit, but a 500-row table helps nobody: keep this many transitions at most. */
export const EMAIL_MAX_TIMELINE_ROWS = 60;

/**
 * The subject of an escalation's first email, e.g. `[WARDEN][HIGH] code-review failed — task 7f3c…`.
 * Every email about the escalation keeps it, so mail clients thread them.
 */
export function emailSubject(facts: Pick<NotificationFacts, 'severity' | 'workflow' | 'outcome' | 'taskId'>): string {
  return `[WARDEN][${facts.severity.toUpperCase()}] ${facts.workflow} ${facts.outcome} — task ${facts.taskId}`;
}

/**
 * The subject of a follow-up: `Re:`, the first email's subject, and what is new in brackets,
 * e.g. `Re: [WARDEN][HIGH] code-review failed — task 7f3c… (resolved)`. A re-escalation names the
 * new severity but keeps the old one (`previousSeverity`) in the quoted subject.
 */
export function followUpSubject(facts: NotificationFacts): string {
  const original = emailSubject({ ...facts, severity: facts.previousSeverity ?? facts.severity });
  return `Re: ${original} (${subjectNews(facts)})`;
}

/**
 * The email for `facts`: the full message for `firing`, a short follow-up for the other kinds.
 * Everything taken from the facts is redacted, and HTML-escaped in the HTML part.
 *
 * @example
 * const { subject, text, html } = renderEmail(facts, { maxFieldChars: 1500, redact });
 */
export function renderEmail(facts: NotificationFacts, opts: RenderOptions): EmailMessage {
  return facts.kind === 'firing' ? renderEmailFiring(facts, opts) : renderEmailFollowUp(facts, opts);
}

/**
 * The full first email: summary fields, the timeline, input and output excerpts, the dashboard
 * link. When `facts.kind` is not `firing` (a channel that hears of the escalation only now),
 * the news is stated at the top.
 */
export function renderEmailFiring(facts: NotificationFacts, opts: RenderOptions): EmailMessage {
  const { redact } = opts;
  const news = facts.kind === 'firing' ? undefined : `${kindEmoji(facts.kind)} ${followUpLine(facts)}`;
  const fields = summaryFields(facts);
  const rows = timelineRows(facts);
  const input = facts.input === undefined ? undefined : excerpt(facts.input, opts);
  const output = facts.output === undefined ? undefined : excerpt(facts.output, opts);

  const text: string[] = [title(facts), ''];
  if (news) text.push(news, '');
  const width = Math.max(...fields.map((f) => f.label.length)) + 2;
  for (const f of fields) text.push(`${`${f.label}:`.padEnd(width)}${f.value}`);
  text.push('', `Timeline (UTC, ${facts.timeline.length} transitions):`);
  for (const r of rows) text.push(`  ${typeof r === 'string' ? r : formatTransition(r)}`);
  if (input !== undefined) text.push('', 'Input:', input);
  if (output !== undefined) text.push('', `${outputLabel(facts)}:`, output);
  if (facts.dashboardUrl) text.push('', `Open the task in the dashboard: ${facts.dashboardUrl}`);
  text.push('', `Escalation ${facts.escalationId} · ${facts.at}`);

  const h = (s: string): string => escapeHtml(redact(s));
  const html: string[] = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${h(emailSubject(facts))}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d">',
    `<h2 style="margin:0 0 12px">${h(title(facts))}</h2>`,
  ];
  if (news) html.push(`<p style="font-weight:bold">${h(news)}</p>`);
  html.push('<table cellpadding="4" cellspacing="0" style="border-collapse:collapse">');
  for (const f of fields) {
    const value = f.label === 'Task' ? `<code>${h(f.value)}</code>` : h(f.value);
    html.push(`<tr><th align="left" style="padding-right:16px">${h(f.label)}</th><td>${value}</td></tr>`);
  }
  html.push('</table>');
  html.push(`<h3>Timeline <small style="font-weight:normal">(UTC, ${facts.timeline.length} transitions)</small></h3>`);
  html.push('<table cellpadding="3" cellspacing="0" style="border-collapse:collapse;font-family:monospace;font-size:12px">');
  html.push(
    '<tr><th align="left">Time</th><th align="left">From</th><th></th><th align="left">To</th><th align="left">Event</th><th align="left">Agent</th><th align="left">Error</th></tr>',
  );
  for (const r of rows) {
    if (typeof r === 'string') html.push(`<tr><td colspan="7"><em>${h(r)}</em></td></tr>`);
    else {
      const c = timelineRow(r);
      const cells = [c.time, c.from, '→', c.to, c.event, c.agent, c.code].map((v) => `<td>${h(v)}</td>`);
      html.push(`<tr>${cells.join('')}</tr>`);
    }
  }
  html.push('</table>');
  if (input !== undefined) html.push('<h3>Input</h3>', pre(input));
  if (output !== undefined) html.push(`<h3>${outputLabel(facts)}</h3>`, pre(output));
  if (facts.dashboardUrl) {
    html.push(`<p><a href="${h(facts.dashboardUrl)}">Open the task in the dashboard</a></p>`);
  }
  html.push(`<p style="color:#616061;font-size:12px">Escalation <code>${h(facts.escalationId)}</code> · ${h(facts.at)}</p>`);
  html.push('</body></html>');

  return { subject: oneLine(redact(emailSubject(facts))), text: redact(text.join('\n')), html: html.join('\n') };
}

/** A short follow-up: the news, the key facts, and the dashboard link. */
export function renderEmailFollowUp(facts: NotificationFacts, opts: RenderOptions): EmailMessage {
  const { redact } = opts;
  const news = `${kindEmoji(facts.kind)} ${followUpLine(facts)}`;
  const key = summaryFields(facts).filter((f) => ['Task', 'Severity', 'Final error', 'Count'].includes(f.label));

  const text = [news, '', headline(facts)];
  for (const f of key) text.push(`${f.label}: ${f.value}`);
  if (facts.dashboardUrl) text.push('', `Open the task in the dashboard: ${facts.dashboardUrl}`);
  text.push('', `Escalation ${facts.escalationId} · ${facts.at}`);

  const h = (s: string): string => escapeHtml(redact(s));
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d">',
    `<p style="font-size:16px;font-weight:bold">${h(news)}</p>`,
    `<p>${h(headline(facts))}</p>`,
    '<table cellpadding="4" cellspacing="0" style="border-collapse:collapse">',
    ...key.map((f) => `<tr><th align="left" style="padding-right:16px">${h(f.label)}</th><td>${h(f.value)}</td></tr>`),
    '</table>',
  ];
  if (facts.dashboardUrl) html.push(`<p><a href="${h(facts.dashboardUrl)}">Open the task in the dashboard</a></p>`);
  html.push(`<p style="color:#616061;font-size:12px">Escalation <code>${h(facts.escalationId)}</code> · ${h(facts.at)}</p>`);
  html.push('</body></html>');

  return { subject: oneLine(redact(followUpSubject(facts))), text: redact(text.join('\n')), html: html.join('\n') };
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function subjectNews(facts: NotificationFacts): string {
  const words: Record<Exclude<NotificationKind, 'grouped' | 're-escalated'>, string> = {
    firing: 'again',
    repeat: 'reminder',
    acknowledged: 'acknowledged',
    resolved: 'resolved',
  };
  if (facts.kind === 'grouped') return `repeated, ${facts.count} tasks`;
  if (facts.kind === 're-escalated') return `re-escalated to ${facts.severity.toUpperCase()}`;
  return words[facts.kind];
}

/** The timeline to show, with a note in place of the transitions left out of a long one. */
function timelineRows(facts: NotificationFacts): (Transition | string)[] {
  const { head, omitted, tail } = elide(
    facts.timeline,
    () => 1,
    EMAIL_MAX_TIMELINE_ROWS,
    () => 1,
  );
  return omitted > 0 ? [...head, `… ${omitted} more transitions`, ...tail] : head;
}

function excerpt(value: unknown, opts: RenderOptions): string {
  // a string is shown as written, not as a JSON string literal
  return typeof value === 'string' ? truncate(opts.redact(value), opts.maxFieldChars) : safeJson(value, opts.maxFieldChars, opts.redact);
}

function pre(s: string): string {
  return `<pre style="background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-word">${escapeHtml(s)}</pre>`;
}

/** Header values must stay on one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
