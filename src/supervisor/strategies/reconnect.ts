import { abortable } from '../checks/HealthCheck.js';
import { storeCheck } from '../checks/storeCheck.js';
import type { RecoveryStrategy } from './Strategy.js';

/**
 * Re-checks the connections of the store or the escalation channels. What it can honestly do:
 *
 * - **store:** closing and re-opening a store under a running engine would fail the commits in
 *   flight, so it does not. For `memory:` there is nothing to reconnect; for `sqlite:` the file
 *   is opened once and either works or not. Both write and read back a row, which succeeds
 *   once the cause (a full disk, a locked file) is gone. A pooled backend reconnects by itself
 *   on the next query, which the same write provokes.
 * - **channels:** verifies each channel, which opens a fresh connection (Slack `auth.test`,
 *   SMTP verify). It does not `close()` them: nodemailer's pool can't send once closed.
 */
export const reconnect: RecoveryStrategy = async (_step, ctx) => {
  if (ctx.component.check === 'store') {
    const result = await storeCheck(ctx.store, ctx.clock).run(ctx.signal);
    return { ok: result.ok, detail: `re-verified: ${result.detail ?? ''}` };
  }
  const failed: string[] = [];
  for (const channel of ctx.channels.values()) {
    if (channel.type === 'log') continue;
    try {
      await abortable(channel.verify(), ctx.signal);
    } catch (err) {
      failed.push(`${channel.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failed.length ? { ok: false, detail: failed.join('; ') } : { ok: true, detail: 'every channel re-verified' };
};
