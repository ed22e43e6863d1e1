/**
 * Escalation emails: the subject, and text and HTML parts carrying the same facts as the Slack
 * message.
 * @module
 */
import type { Transition } from '../../lifecycle/types.js';
import { safeJson, truncate } from '../redact.js';
import { failureLine, failureMessage, failuresHeading, listedFailures } from './failures.js';
import type { AttemptFailure, NotificationFacts, NotificationKind, RenderOptions } from './NotificationFacts.js';
import { isSingleTaskStep, moreStepsLine, moreTasksLine, stepFields, stepHeading, stepsHeading, stepTaskHeading } from './runSteps.js';
import type { SummaryField } from './summary.js';
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

/** The same for the timeline of each of a run's step tasks, which sit several to a message. */
export const EMAIL_MAX_STEP_TIMELINE_ROWS = 20;

/** The most failed attempts listed with their messages; a long list keeps its first and last. */
export const EMAIL_MAX_FAILURES = 20;

/** The same for each of a run's step tasks. */
export const EMAIL_MAX_STEP_FAILURES = 5;

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
 * The full first email: summary fields, the timeline, the failed attempts with the agents' own
 * messages, a run's failed or degraded steps (each step task with its own timeline and failed
 * attempts), input and output excerpts, the dashboard link. When
 * `facts.kind` is not `firing` (a channel that hears of the escalation only now), the news is
 * stated at the top.
 */
export function renderEmailFiring(facts: NotificationFacts, opts: RenderOptions): EmailMessage {
  const { redact } = opts;
  const news = facts.kind === 'firing' ? undefined : `${kindEmoji(facts.kind)} ${followUpLine(facts)}`;
  const fields = summaryFields(facts);
  const rows = timelineRows(facts.timeline, EMAIL_MAX_TIMELINE_ROWS);
  const input = facts.input === undefined ? undefined : excerpt(facts.input, opts);
  const output = facts.output === undefined ? undefined : excerpt(facts.output, opts);

  const text: string[] = [title(facts), ''];
  if (news) text.push(news, '');
  text.push(...textFields(fields, ''));
  text.push('', `Timeline (UTC, ${facts.timeline.length} transitions):`);
  text.push(...textTimeline(rows, '  '));
  text.push(...failuresText(facts.failures, opts, '', EMAIL_MAX_FAILURES));
  text.push(...stepsText(facts, opts));
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
  html.push(...htmlFields(fields, h));
  html.push(`<h3>Timeline <small style="font-weight:normal">(UTC, ${facts.timeline.length} transitions)</small></h3>`);
  html.push(...htmlTimeline(rows, h));
  if (facts.failures?.length) {
    html.push(`<h3>${h(failuresHeading(facts.failures))}</h3>`, ...failuresHtml(facts.failures, opts, h, EMAIL_MAX_FAILURES));
  }
  html.push(...stepsHtml(facts, opts, h));
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

/** A run's failed or degraded steps as text: each step's facts, then each step task's timeline and failed attempts. */
function stepsText(facts: NotificationFacts, opts: RenderOptions): string[] {
  const steps = facts.steps ?? [];
  if (steps.length === 0) return [];
  const text = ['', `${stepsHeading(facts)}:`];
  for (const s of steps) {
    text.push('', stepHeading(s), ...textFields(stepFields(s), '  '));
    // a step without forEach names its one task in its facts already
    const single = isSingleTaskStep(s);
    const indent = single ? '  ' : '    ';
    for (const t of s.tasks) {
      if (!single) text.push(`  ${stepTaskHeading(t)}`);
      text.push(`${indent}Timeline (UTC, ${t.timeline.length} transitions):`);
      text.push(...textTimeline(timelineRows(t.timeline, EMAIL_MAX_STEP_TIMELINE_ROWS), `${indent}  `));
      text.push(...failuresText(t.failures, opts, indent, EMAIL_MAX_STEP_FAILURES).slice(1));
    }
    if (s.moreTasks > 0) text.push(`  ${moreTasksLine(s.step, s.moreTasks)}`);
  }
  if (facts.moreSteps) text.push('', moreStepsLine(facts.moreSteps));
  return text;
}

/** The same as {@link stepsText}, in HTML; `h` redacts and escapes. */
function stepsHtml(facts: NotificationFacts, opts: RenderOptions, h: (s: string) => string): string[] {
  const steps = facts.steps ?? [];
  if (steps.length === 0) return [];
  const html = [`<h3>${h(stepsHeading(facts))}</h3>`];
  for (const s of steps) {
    html.push(`<h4 style="margin:16px 0 4px">${h(stepHeading(s))}</h4>`, ...htmlFields(stepFields(s), h));
    const single = isSingleTaskStep(s);
    for (const t of s.tasks) {
      const heading = single ? `Timeline (UTC, ${t.timeline.length} transitions)` : stepTaskHeading(t);
      html.push(`<p style="margin:8px 0 4px"><strong>${h(heading)}</strong></p>`);
      html.push(...htmlTimeline(timelineRows(t.timeline, EMAIL_MAX_STEP_TIMELINE_ROWS), h));
      if (t.failures?.length) html.push(...failuresHtml(t.failures, opts, h, EMAIL_MAX_STEP_FAILURES));
    }
    if (s.moreTasks > 0) html.push(`<p><em>${h(moreTasksLine(s.step, s.moreTasks))}</em></p>`);
  }
  if (facts.moreSteps) html.push(`<p><em>${h(moreStepsLine(facts.moreSteps))}</em></p>`);
  return html;
}

/** Labelled facts, one a line, their values aligned. */
function textFields(fields: readonly SummaryField[], indent: string): string[] {
  const width = Math.max(...fields.map((f) => f.label.length)) + 2;
  return fields.map((f) => `${indent}${`${f.label}:`.padEnd(width)}${f.value}`);
}

function htmlFields(fields: readonly SummaryField[], h: (s: string) => string): string[] {
  return [
    '<table cellpadding="4" cellspacing="0" style="border-collapse:collapse">',
    ...fields.map((f) => {
      const value = f.label === 'Task' ? `<code>${h(f.value)}</code>` : h(f.value);
      return `<tr><th align="left" style="padding-right:16px">${h(f.label)}</th><td>${value}</td></tr>`;
    }),
    '</table>',
  ];
}

/**
 * The failed attempts with the agents' messages, as text: a blank line, the heading, and one
 * line per attempt under `indent`; nothing when there are none.
 */
function failuresText(failures: readonly AttemptFailure[] | undefined, opts: RenderOptions, indent: string, max: number): string[] {
  if (!failures?.length) return [];
  const rows = listedFailures(failures, max).map((r) => (typeof r === 'string' ? r : failureLine(r, opts.redact)));
  return ['', `${indent}${failuresHeading(failures)}:`, ...rows.map((r) => `${indent}  ${r}`)];
}

/** The failed attempts as a table: the attempt, its code and its message; `h` redacts and escapes. */
function failuresHtml(failures: readonly AttemptFailure[], opts: RenderOptions, h: (s: string) => string, max: number): string[] {
  const html = [
    '<table cellpadding="3" cellspacing="0" style="border-collapse:collapse;font-size:13px">',
    '<tr><th align="left">Attempt</th><th align="left">Error</th><th align="left">Message</th></tr>',
  ];
  for (const r of listedFailures(failures, max)) {
    if (typeof r === 'string') html.push(`<tr><td colspan="3"><em>${h(r)}</em></td></tr>`);
    else {
      const cells = [`<code>${h(`${r.agent}#${r.attempt}`)}</code>`, `<code>${h(r.code)}</code>`, h(failureMessage(r, opts.redact))];
      html.push(`<tr>${cells.map((c) => `<td valign="top">${c}</td>`).join('')}</tr>`);
    }
  }
  html.push('</table>');
  return html;
}

function textTimeline(rows: readonly (Transition | string)[], indent: string): string[] {
  return rows.map((r) => `${indent}${typeof r === 'string' ? r : formatTransition(r)}`);
}

function htmlTimeline(rows: readonly (Transition | string)[], h: (s: string) => string): string[] {
  const html = [
    '<table cellpadding="3" cellspacing="0" style="border-collapse:collapse;font-family:monospace;font-size:12px">',
    '<tr><th align="left">Time</th><th align="left">From</th><th></th><th align="left">To</th><th align="left">Event</th><th align="left">Agent</th><th align="left">Error</th></tr>',
  ];
  for (const r of rows) {
    if (typeof r === 'string') html.push(`<tr><td colspan="7"><em>${h(r)}</em></td></tr>`);
    else {
      const c = timelineRow(r);
      const event = c.step ? `${c.event} ${c.step}` : c.event;
      const cells = [c.time, c.from, '→', c.to, event, c.agent, c.code].map((v) => `<td>${h(v)}</td>`);
      html.push(`<tr>${cells.join('')}</tr>`);
    }
  }
  html.push('</table>');
  return html;
}

/** The timeline to show, at most `max` rows, with a note in place of the transitions left out of a long one. */
function timelineRows(timeline: readonly Transition[], max: number): (Transition | string)[] {
  const { head, omitted, tail } = elide(
    timeline,
    () => 1,
    max,
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
