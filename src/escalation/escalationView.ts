/**
 * The API shape of an escalation.
 * @module
 */
import type { ChannelDelivery, EscalationRecord } from './types.js';

/** The API shape of an escalation (CONTRACT.md section 4). */
export function escalationView(e: EscalationRecord) {
  return {
    ...e,
    channels: e.channels.map((c: ChannelDelivery) => ({ ...c })),
  };
}
