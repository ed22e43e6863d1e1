/**
 * `warden channels test NAME`: sends a test notification through an escalation channel of a
 * running Warden (`POST /api/channels/:name/test`), to check its token, address and permissions
 * before an incident does.
 * @module
 */
import type { Command } from 'commander';
import type { ChannelTestResult } from '../../escalation/EscalationService.js';
import { ApiClient } from '../client.js';

/** Options of `warden channels test`. */
export interface ChannelsTestOptions {
  /** Who asks; shown in the message. */
  by: string;
  json?: boolean;
}

/**
 * Sends the test notification and prints where it went. A channel that fails makes the server
 * answer 502 with the channel's code and message, which reach the user as an `ApiError`
 * (`error: slack channel "eng-slack": chat.postMessage failed: invalid_auth (CHANNEL_AUTH)`, exit 1).
 */
export async function channelsTestCommand(client: ApiClient, name: string, o: ChannelsTestOptions): Promise<number> {
  const res = await client.request<ChannelTestResult>('POST', `/api/channels/${encodeURIComponent(name)}/test`, { by: o.by });
  console.log(o.json ? JSON.stringify(res, null, 2) : `test notification sent to ${res.channel} (${res.type}): ${res.ref}`);
  return 0;
}

/** Registers `warden channels` and its subcommand `test` on the CLI. */
export function registerChannelsCommand(program: Command): void {
  const channels = program.command('channels').description('escalation channels');
  channels
    .command('test')
    .description('send a test notification through an escalation channel of a running Warden (needs the admin token when one is set)')
    .argument('<name>', 'the channel, as named in escalation.channels')
    .option('--by <name>', 'who asks; shown in the message', process.env.USER ?? 'cli')
    .option('--json', 'print JSON')
    .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
    .action(async (name: string, o: ChannelsTestOptions & { url?: string }) => {
      process.exitCode = await channelsTestCommand(new ApiClient(o.url), name, o);
    });
}
