/**
 * Escalation channels checked at start and tested on demand, against a real `warden serve`: the
 * real Slack WebClient against the local stand-in (configured without the `/api/` of its URL),
 * nodemailer against a real SMTP server, and another SMTP address where nothing listens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from './helpers/slackStandIn.js';
import { SmtpStandIn } from './helpers/smtpServer.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';

const SLACK_TOKEN = 'xoxb-channels-test-8d2f4a';
const API_TOKEN = 'channels-api-token-31c9';
const ADMIN_TOKEN = 'channels-admin-token-7b0e';
const read = { authorization: `Bearer ${API_TOKEN}` };
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

let slack: SlackStandIn;
const smtp = new SmtpStandIn();
let tmp: TempConfig;
let warden: WardenProcess;

interface Health {
  status: string;
  components: { name: string; status: string; via?: string; error?: { code: string; message: string } }[];
}
const health = async () => (await api<Health>(warden.url, 'GET', '/api/health', undefined, read)).body;
const component = (h: Health, name: string) => h.components.find((c) => c.name === name);
/** The JSON log lines `warden serve` wrote to stderr. */
const logLines = () =>
  warden
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg?: string; [field: string]: unknown });
const cli = (...args: string[]) => runCli([...args, '--url', warden.url], { env: { WARDEN_ADMIN_TOKEN: ADMIN_TOKEN } });

beforeAll(async () => {
  slack = await SlackStandIn.start();
  await smtp.start();
  // an SMTP address where nothing listens: started and stopped, so the port is free
  const gone = new SmtpStandIn();
  const deadPort = await gone.start();
  await gone.stop();
  const email = (port: number) => ({
    type: 'email',
    from: 'warden@example.com',
    to: ['oncall@example.com'],
    smtp: { host: '127.0.0.1', port, secure: false },
  });
  tmp = await writeTempConfig(
    {
      agents: { good: { adapter: { type: 'simulated', latencyMs: 0 } } },
      store: 'memory:',
      escalation: {
        channels: {
          // Slack's own base is …/api/; the origin alone must do as well
          slack: { type: 'slack', channel: '#ops', tokenEnv: 'CHANNELS_SLACK_TOKEN', apiUrl: slack.origin },
          mail: email(smtp.port),
          'mail-down': email(deadPort),
          console: { type: 'log' },
        },
        severities: { medium: { channels: ['slack'] } },
      },
    },
    [{ name: 'easy', agent: 'good' }],
  );
  warden = await startWarden(['--config', tmp.configPath], {
    env: { CHANNELS_SLACK_TOKEN: SLACK_TOKEN, WARDEN_API_TOKEN: API_TOKEN, WARDEN_ADMIN_TOKEN: ADMIN_TOKEN },
  });
});

afterAll(async () => {
  await warden?.stop();
  await tmp?.remove();
  await slack?.close();
  await smtp.stop();
});

describe('channels verified when warden serve starts', () => {
  it('verifies every channel at start, logs the one that cannot be reached and shows it in /api/health', async () => {
    const h = await until(async () => {
      const now = await health();
      return now.components.filter((c) => c.name.startsWith('channel:') && c.status !== 'unknown').length === 4 && now;
    }, 20_000);
    expect(component(h, 'channel:slack')).toMatchObject({ status: 'healthy', via: 'verify' });
    expect(component(h, 'channel:mail')).toMatchObject({ status: 'healthy', via: 'verify' });
    expect(component(h, 'channel:mail-down')).toMatchObject({
      status: 'unhealthy',
      via: 'verify',
      error: { code: 'CHANNEL_UNREACHABLE', message: expect.stringContaining('email channel "mail-down": verify failed') },
    });
    expect(h.status).toBe('degraded');
    // a channel down never takes Warden out of rotation
    expect((await api(warden.url, 'GET', '/readyz')).status).toBe(200);
    const logged = await until(async () => logLines().find((l) => l.msg?.startsWith('channel mail-down cannot be used')), 5_000);
    expect(logged).toMatchObject({ level: 40, channel: 'mail-down', type: 'email', code: 'CHANNEL_UNREACHABLE' });
    expect(logged.msg).toMatch(/^channel mail-down cannot be used: email channel "mail-down": verify failed: .*ECONNREFUSED/);
    expect(logLines().filter((l) => l.msg?.startsWith('channel slack'))).toEqual([]);
    expect(warden.stderr()).not.toContain(SLACK_TOKEN);
  });

  it('calls Slack under /api/ although apiUrl was given without it', () => {
    expect(slack.of('auth.test').length).toBeGreaterThanOrEqual(1);
    expect(slack.of('auth.test')[0]!.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(slack.calls.filter((c) => c.status === 404)).toEqual([]);
  });

  it("runs the supervisor's first channels check at start, not five minutes in", async () => {
    const lastCheck = await until(async () => {
      const res = await api<{ lastCheck: { ok: boolean; detail: string } | null }>(
        warden.url,
        'GET',
        '/api/supervisor/channels',
        undefined,
        read,
      );
      return res.body.lastCheck ?? undefined;
    }, 20_000);
    expect(lastCheck).toMatchObject({ ok: false, detail: expect.stringContaining('mail-down') });
  });
});

describe('POST /api/channels/:name/test', () => {
  it('sends a test notification through Slack and answers where it went', async () => {
    const before = slack.posts().length;
    const res = await api(warden.url, 'POST', '/api/channels/slack/test', { by: 'alice' }, admin);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      channel: 'slack',
      type: 'slack',
      ref: expect.stringMatching(/^C123:\d+\.\d+$/),
      sentAt: expect.any(String),
    });
    const post = slack.posts()[before]!;
    expect(post.params['text']).toBe('🧪 Test notification from Warden: channel slack works. No action is needed.');
    expect(post.params['blocks']).toContain('Sent by alice');
    expect(component(await health(), 'channel:slack')).toMatchObject({ status: 'healthy', via: 'test' });
  });

  it("answers 502 with the channel's code and message when the service refuses it, and shows it in /api/health", async () => {
    slack.script.set('chat.postMessage', [{ body: { ok: false, error: 'invalid_auth' } }]);
    const res = await api(warden.url, 'POST', '/api/channels/slack/test', undefined, admin);
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: { code: 'CHANNEL_AUTH', message: 'slack channel "slack": chat.postMessage failed: invalid_auth' } });
    const h = await health();
    expect(component(h, 'channel:slack')).toMatchObject({ status: 'unhealthy', via: 'test', error: { code: 'CHANNEL_AUTH' } });
    expect(h.status).toBe('degraded');
  });

  it('answers 404 for a channel the config does not have, and needs the admin token', async () => {
    const unknown = await api(warden.url, 'POST', '/api/channels/nope/test', undefined, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({
      code: 'CHANNEL_NOT_FOUND',
      message: 'no escalation channel "nope" (configured: slack, mail, mail-down, console)',
    });
    expect((await api(warden.url, 'POST', '/api/channels/console/test', undefined, read)).status).toBe(403);
    expect((await api(warden.url, 'POST', '/api/channels/console/test')).status).toBe(401);
  });
});

describe('warden channels test NAME', () => {
  it('sends a test email and prints where it went', async () => {
    const { code, stdout, stderr } = await cli('channels', 'test', 'mail', '--by', 'bob');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^test notification sent to mail \(email\): <.+>\n$/);
    const [mail] = smtp.about('Test notification');
    expect(mail!.mail.subject).toBe('[WARDEN] Test notification — channel mail');
    expect(mail!.mail.text).toContain('Sent by bob');
  });

  it("exits 1 with the channel's error when it cannot be reached", async () => {
    const { code, stdout, stderr } = await cli('channels', 'test', 'mail-down');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: email channel "mail-down": sendMail \(test\) failed: .*ECONNREFUSED.* \(CHANNEL_UNREACHABLE\)\n$/);
  });

  it('exits 1 naming the channels there are for an unknown one', async () => {
    const { code, stderr } = await cli('channels', 'test', 'nope');
    expect(code).toBe(1);
    expect(stderr).toBe('error: no escalation channel "nope" (configured: slack, mail, mail-down, console) (CHANNEL_NOT_FOUND)\n');
  });
});
