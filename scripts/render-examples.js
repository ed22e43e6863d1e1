// Writes the example notifications in docs/notifications/ from the sample escalation
// (code-review failed at high severity after three agents and eleven transitions), and the
// first messages of the sample run's escalation (ship degraded: a degraded build item, a failed docs step).
// It reads the compiled renderers, so run it after `npm run build`:
//   npm run build && node scripts/render-examples.js
import { mkdir, writeFile } from 'node:fs/promises';
import { createRedactor } from '../dist/escalation/redact.js';
import { renderEmail } from '../dist/escalation/render/email.js';
import { sampleFacts } from '../dist/escalation/render/sampleFacts.js';
import { sampleRunFacts } from '../dist/escalation/render/sampleRunFacts.js';
import { renderSlack, renderSlackParentUpdate } from '../dist/escalation/render/slackBlocks.js';

// A secret that leaked into the task's input, to show that it never reaches a notification.
const SECRET = 'sk-live-51HxExampleOnlyNotARealKey';
const opts = { maxFieldChars: 1500, redact: createRedactor([SECRET]) };
const channel = '#engineering';

// The refusing agent quotes the key it was given: its message is shown redacted too.
const facts = (kind) => {
  const f = sampleFacts(kind);
  const failures = f.failures?.map((x) => (x.code === 'AUTH_FAILED' ? { ...x, message: `${x.message} (key ${SECRET})` } : x));
  return { ...f, input: { ...f.input, apiKey: SECRET }, ...(failures ? { failures } : {}) };
};

const firing = renderSlack(facts('firing'), opts);
const slackFiring = { channel, text: firing.text, blocks: firing.blocks, unfurl_links: false, unfurl_media: false };

// What a Slack channel posts after the first message: thread replies, and chat.update on the first message
// for acknowledged and resolved. 1700000000.000100 stands for the first message's ts.
const parentTs = '1700000000.000100';
const threadReplies = [];
for (const kind of ['grouped', 'repeat', 'acknowledged', 're-escalated', 'resolved']) {
  const f = facts(kind);
  if (kind === 'acknowledged' || kind === 'resolved') {
    const update = renderSlackParentUpdate(f, opts);
    threadReplies.push({
      kind,
      method: 'chat.update',
      payload: { channel: 'C123', ts: parentTs, text: update.text, blocks: update.blocks },
    });
  }
  const reply = renderSlack(f, opts);
  const broadcast = kind === 'repeat' || kind === 're-escalated' ? { reply_broadcast: true } : {};
  threadReplies.push({
    kind,
    method: 'chat.postMessage',
    payload: {
      channel: 'C123',
      thread_ts: parentTs,
      text: reply.text,
      blocks: reply.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...broadcast,
    },
  });
}

const email = renderEmail(facts('firing'), opts);

const runFacts = (() => {
  const f = sampleRunFacts('firing');
  return { ...f, input: { ...f.input, apiKey: SECRET } };
})();
const runFiring = renderSlack(runFacts, opts);
const slackRunFiring = { channel, text: runFiring.text, blocks: runFiring.blocks, unfurl_links: false, unfurl_media: false };
const runEmail = renderEmail(runFacts, opts);

const outDir = new URL('../docs/notifications/', import.meta.url);
await mkdir(outDir, { recursive: true });
const files = {
  'slack-firing.json': `${JSON.stringify(slackFiring, null, 2)}\n`,
  'slack-thread-replies.json': `${JSON.stringify(threadReplies, null, 2)}\n`,
  'email-firing.html': `${email.html}\n`,
  'email-firing.txt': `Subject: ${email.subject}\n\n${email.text}\n`,
  'slack-run-firing.json': `${JSON.stringify(slackRunFiring, null, 2)}\n`,
  'email-run-firing.html': `${runEmail.html}\n`,
  'email-run-firing.txt': `Subject: ${runEmail.subject}\n\n${runEmail.text}\n`,
};
for (const [name, content] of Object.entries(files)) {
  if (content.includes(SECRET)) throw new Error(`${name} holds the sample secret: redaction is broken`);
  await writeFile(new URL(name, outDir), content);
  console.log(`wrote docs/notifications/${name}`);
}
