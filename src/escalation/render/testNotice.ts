/**
 * The test notification (`warden channels test NAME`, `POST /api/channels/:name/test`): a short
 * message that says it is a test and that nothing failed, in each channel's format. It goes
 * through the same client, credentials and channel as an escalation, so its arrival proves the
 * channel works; it carries no escalation and needs no acknowledgement.
 * @module
 */
import type { Redactor } from '../redact.js';
import type { EmailMessage } from './email.js';
import { escapeHtml } from './email.js';
import type { SlackMessage } from './slackBlocks.js';
import { escapeMrkdwn } from './slackBlocks.js';

/** What a test notification says. */
export interface TestNotice {
  /** The channel's configured name. */
  channel: string;
  /** ISO time it was sent, on the engine clock. */
  at: string;
  /** Who asked for it (the CLI sends `$USER`, the API the body's `by`). */
  by: string;
}

/** The one line every format starts with, e.g. `🧪 Test notification from Warden: channel eng-slack works. No action is needed.` */
export function testNoticeLine(n: TestNotice): string {
  return `🧪 Test notification from Warden: channel ${n.channel} works. No action is needed.`;
}

/** Who asked and when, e.g. `Sent by alice at 2025-03-14T09:00:00.000Z with warden channels test eng-slack`. */
function sentLine(n: TestNotice): string {
  return `Sent by ${n.by} at ${n.at} with \`warden channels test ${n.channel}\``;
}

/** The test notification as a Slack message: the line, and who asked in a context block. */
export function renderSlackTest(n: TestNotice, redact: Redactor): SlackMessage {
  const line = escapeMrkdwn(redact(testNoticeLine(n)));
  return {
    text: line,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: line } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(redact(sentLine(n))) }] },
    ],
  };
}

/** The test notification as an email, under a subject of its own so it never threads with an escalation. */
export function renderEmailTest(n: TestNotice, redact: Redactor): EmailMessage {
  const subject = redact(`[WARDEN] Test notification — channel ${n.channel}`).replace(/[\r\n]+/g, ' ');
  const lines = [testNoticeLine(n), '', 'If you can read this, Warden can reach you through this channel.', '', sentLine(n)];
  const h = (s: string) => escapeHtml(redact(s));
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${h(subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d">',
    `<p style="font-size:16px;font-weight:bold">${h(testNoticeLine(n))}</p>`,
    `<p>${h('If you can read this, Warden can reach you through this channel.')}</p>`,
    `<p style="color:#616061;font-size:12px">${h(sentLine(n))}</p>`,
    '</body></html>',
  ];
  return { subject, text: redact(lines.join('\n')), html: html.join('\n') };
}
