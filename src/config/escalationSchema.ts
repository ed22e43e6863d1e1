/** Where escalations go: named notification channels, and which severities use which channels. */
import { z } from 'zod';
import { duration, positiveDuration } from './duration.js';
import { envName, idSchema, strictObject, taggedUnion } from './strict.js';

/** Slack (or a Slack-compatible server at `apiUrl`), through `chat.postMessage`. */
export const slackChannelSchema = strictObject({
  type: z.literal('slack'),
  channel: z.string().min(1).describe('The Slack channel, e.g. #engineering.'),
  tokenEnv: envName.describe('The environment variable holding the bot token.'),
  apiUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('A Slack-compatible API base URL, passed to WebClient as slackApiUrl.'),
}).describe('A Slack channel.');

/**
 * Email through SMTP. `smtp.port` defaults to 587 and `smtp.secure` (TLS from the start) to false.
 * The credentials are read from the environment variables `userEnv` and `passwordEnv`.
 */
export const emailChannelSchema = strictObject({
  type: z.literal('email'),
  from: z.string().min(1).describe('The sender address.'),
  to: z.array(z.string().min(1)).min(1).describe('The recipients.'),
  smtp: strictObject({
    host: z.string().min(1).describe('The SMTP server.'),
    port: z.number().int().min(1).max(65_535).default(587).describe('The SMTP port.'),
    secure: z.boolean().default(false).describe('TLS from the start (port 465) rather than STARTTLS.'),
    userEnv: envName.optional().describe('The environment variable holding the SMTP user.'),
    passwordEnv: envName.optional().describe('The environment variable holding the SMTP password.'),
  }),
}).describe('An email channel.');

/** The engine's own log: no delivery, no secrets. */
export const logChannelSchema = strictObject({
  type: z.literal('log'),
}).describe("The engine's log.");

/** A notification channel, discriminated by `type`: `slack`, `email` or `log`. */
export const channelSchema = taggedUnion('type', [slackChannelSchema, emailChannelSchema, logChannelSchema]).describe(
  'A notification channel: slack, email or log.',
);

/**
 * What happens to escalations of one severity.
 *
 * - `channels`: the channel names tried, in order. Defaults to `[]` (log only).
 * - `repeatEveryMs`: re-send an unacknowledged escalation this often. No repeats by default.
 * - `untilAcked`: keep repeating until acknowledged. Defaults to false.
 * - `ackTimeoutMs`: escalate to the next severity when not acknowledged within this time. Off by default.
 */
export const severityRouteSchema = strictObject({
  channels: z
    .array(idSchema)
    .default(() => [])
    .describe('The channel names that escalations of this severity go to.'),
  repeatEveryMs: positiveDuration.optional().describe('Re-send an unacknowledged escalation this often.'),
  untilAcked: z.boolean().default(false).describe('Keep repeating until acknowledged.'),
  ackTimeoutMs: positiveDuration.optional().describe('Escalate further when not acknowledged within this time.'),
  fallbackChannels: z
    .array(idSchema)
    .default(() => [])
    .describe('Channels tried, in order, when one of `channels` stays down past the delivery limit.'),
}).describe('The routing of one severity.');

/**
 * An extra routing rule, like an Alertmanager route: it matches on workflow, agent (any agent
 * tried) and final error code, and sends to its channels. Routes are checked in order; the first
 * match wins unless it sets `continue`, and the severity's own channels are used too unless
 * `replaceSeverityChannels` is set.
 */
export const escalationRouteSchema = strictObject({
  match: strictObject({
    workflow: z.union([z.string(), z.array(z.string())]).optional(),
    agent: z.union([z.string(), z.array(z.string())]).optional(),
    errorCode: z.union([z.string(), z.array(z.string())]).optional(),
    severity: z.union([z.enum(['low', 'medium', 'high', 'critical']), z.array(z.enum(['low', 'medium', 'high', 'critical']))]).optional(),
  }).prefault({}),
  channels: z.array(idSchema).min(1).describe('The channels a matching escalation goes to.'),
  continue: z.boolean().default(false).describe('Keep checking later routes after this one matched.'),
  replaceSeverityChannels: z.boolean().default(false).describe("Send only to this route's channels, not the severity's."),
}).describe('An extra escalation route.');

/** How the outbox delivers: retries with backoff, then the next channel. */
export const deliverySchema = strictObject({
  maxAttempts: z.number().int().min(1).default(5).describe('Attempts per channel before it counts as down and the next channel is used.'),
  initialDelayMs: duration.default(1_000).describe('The first retry delay of a failed send.'),
  maxDelayMs: duration.default(60_000).describe('The longest retry delay of a failed send.'),
}).describe('Delivery retries.');

/** The routing of every severity; each key defaults to no channels (log only). */
export const severitiesSchema = strictObject({
  low: severityRouteSchema.prefault({}),
  medium: severityRouteSchema.prefault({}),
  high: severityRouteSchema.prefault({}),
  critical: severityRouteSchema.prefault({}),
}).describe('Which channels each severity uses.');

/**
 * Escalation settings.
 *
 * - `channels`: named channels. Defaults to `{ console: { type: 'log' } }`.
 * - `severities`: see {@link severitiesSchema}.
 * - `dedupWindowMs`: escalations with the same fingerprint within this window are grouped. Defaults to 300000.
 * - `routes`: extra routing rules (see {@link escalationRouteSchema}). Defaults to none.
 * - `delivery`: retries of a failed send. Defaults to 5 attempts from 1 s to 60 s.
 * - `maxFieldChars`: truncation of inputs and outputs in notifications. Defaults to 2000.
 * - `dashboardUrl`: linked from notifications. Defaults to the server's own address.
 */
export const escalationSchema = strictObject({
  channels: z
    .record(idSchema, channelSchema)
    .default(() => ({ console: { type: 'log' as const } }))
    .describe('Named notification channels.'),
  severities: severitiesSchema.prefault({}),
  dedupWindowMs: duration.default(300_000).describe('Escalations with the same fingerprint within this window are grouped into one.'),
  routes: z
    .array(escalationRouteSchema)
    .default(() => [])
    .describe('Extra routing rules on workflow, agent and error code.'),
  delivery: deliverySchema.prefault({}),
  maxFieldChars: z
    .number()
    .int()
    .min(100)
    .default(2_000)
    .describe('Inputs and outputs in notifications are truncated to this many characters.'),
  dashboardUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('The dashboard base URL linked from notifications, e.g. http://warden.internal:8080.'),
}).describe('Escalation: channels and severity routing.');

/** A parsed escalation route. */
export type EscalationRoute = z.output<typeof escalationRouteSchema>;

/** A parsed notification channel. */
export type ChannelConfig = z.output<typeof channelSchema>;
/** A parsed Slack channel. */
export type SlackChannelConfig = z.output<typeof slackChannelSchema>;
/** A parsed email channel. */
export type EmailChannelConfig = z.output<typeof emailChannelSchema>;
/** The parsed routing of one severity. */
export type SeverityRoute = z.output<typeof severityRouteSchema>;
/** Parsed escalation settings. */
export type EscalationConfig = z.output<typeof escalationSchema>;
/** Escalation settings as written in a file. */
export type EscalationConfigInput = z.input<typeof escalationSchema>;
