/**
 * The `warden` CLI against bad config and bad calls: `validate` and `serve` report every problem
 * as `FILE: dotted.path: message`, client commands fail with one `error:` line, and nothing
 * prints a stack trace.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STACK_FRAME, writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { ROOT, runCli, startWarden } from './helpers/warden.js';

const temps: TempConfig[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((t) => t.remove()));
});

async function tempConfig(config: unknown, workflows: Record<string, unknown>[] = []): Promise<TempConfig> {
  const t = await writeTempConfig(config, workflows);
  temps.push(t);
  return t;
}

/** `warden validate` run inside the config's folder, so files are named relative to it. */
function validate(t: TempConfig, env: Record<string, string> = {}) {
  return runCli(['validate', '--config', t.configPath], { cwd: t.dir, env });
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const simulated = { adapter: { type: 'simulated', latencyMs: 0 } };

/** A config with several problems in the config file and in two workflow files. */
async function brokenRoster(): Promise<TempConfig> {
  return tempConfig(
    {
      agents: {
        a: { ...simulated, retry: { initialDelayMs: 5000, maxDelayMs: 1000 } },
        b: { adapter: { type: 'http', url: 'not a url' }, timeoutMs: 'soon' },
      },
      fallbackChains: { a: ['ghost', 'b'] },
      store: 'memory:',
    },
    [
      { file: 'x', name: 'y', agent: 'a' },
      { name: 'orphan', agent: 'nobody' },
    ],
  );
}

describe('warden validate', () => {
  it('names the file and the line and column of malformed JSON, and exits 1', async () => {
    const t = await tempConfig('{\n  "agents": {\n    "a": { "adapter": { "type": "simulated" } },\n  }\n}\n');
    const { code, stdout, stderr } = await validate(t);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([expect.stringMatching(/^agents\.config\.json: \(root\): invalid JSON at line 4, column 3: /)]);
  });

  it('names a malformed workflow file as well as the config', async () => {
    const t = await tempConfig({ agents: { a: simulated }, store: 'memory:' });
    await t.write('workflows/broken.json', '{ "name": "broken", ');
    const { code, stderr } = await validate(t);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^workflows\/broken\.json: \(root\): invalid JSON at line 1, column \d+: /)]);
  });

  it('prints every schema problem of every file on its own line as FILE: dotted.path: message, and exits 1', async () => {
    const t = await brokenRoster();
    const { code, stdout, stderr } = await validate(t);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const problems = lines(stderr);
    for (const p of problems) expect(p).toMatch(/^(agents\.config\.json|workflows\/[\w-]+\.json): [\w.$()-]+: \S/);
    expect(problems).toEqual(
      expect.arrayContaining([
        'agents.config.json: agents.a.retry.maxDelayMs: must be ≥ initialDelayMs (5000)',
        expect.stringMatching(/^agents\.config\.json: agents\.b\.adapter\.url: /),
        expect.stringMatching(/^agents\.config\.json: agents\.b\.timeoutMs: invalid duration "soon"/),
        expect.stringMatching(/^agents\.config\.json: fallbackChains\.a\.0: unknown agent "ghost"/),
        expect.stringMatching(/^workflows\/x\.json: name: .*"x".*"y"/),
        expect.stringMatching(/^workflows\/orphan\.json: agent: unknown agent "nobody"/),
      ]),
    );
    expect(problems).toHaveLength(6);
    // The config file's problems come first, then each workflow file's.
    const firstWorkflow = problems.findIndex((p) => p.startsWith('workflows/'));
    expect(problems.slice(firstWorkflow).every((p) => p.startsWith('workflows/'))).toBe(true);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('names the unset environment variable of a slack channel that a severity routes to', async () => {
    const config = {
      agents: { a: simulated },
      store: 'memory:',
      escalation: {
        channels: { 'eng-slack': { type: 'slack', channel: '#eng', tokenEnv: 'SLACK_BOT_TOKEN' } },
        severities: { medium: { channels: ['eng-slack'] } },
      },
    };
    const t = await tempConfig(config, [{ name: 'w', agent: 'a' }]);
    const unset = await validate(t, { SLACK_BOT_TOKEN: '' });
    expect(unset.code).toBe(1);
    expect(lines(unset.stderr)).toEqual([
      expect.stringMatching(/^agents\.config\.json: escalation\.channels\.eng-slack\.tokenEnv: .*SLACK_BOT_TOKEN/),
    ]);

    const set = await validate(t, { SLACK_BOT_TOKEN: 'xoxb-not-a-real-token' });
    expect(set.code).toBe(0);
    expect(set.stdout + set.stderr).not.toContain('xoxb-not-a-real-token');
  });

  it('accepts the shipped example roster with one summary line per file', async () => {
    const { code, stdout, stderr } = await runCli(['validate', '--config', path.join(ROOT, 'agents.config.json')], { cwd: ROOT });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      expect.stringMatching(/^agents\.config\.json: 9 agents, 3 fallback chains, \d+ channels?$/),
      expect.stringMatching(/^workflows\/ai-analysis\.json: workflow ai-analysis → /),
      expect.stringMatching(/^workflows\/code-review\.json: workflow code-review → /),
      expect.stringMatching(/^workflows\/deployment\.json: workflow deployment → /),
      expect.stringMatching(/^workflows\/echo\.json: workflow echo → echo-agent$/),
      expect.stringMatching(/^workflows\/security-scan\.json: workflow security-scan → /),
      'workflows/ship-change.json: workflow ship-change → 5 steps: plan, backend, frontend, review, deploy',
    ]);
  });
});

describe('warden validate with multi-step workflows', () => {
  const config = { agents: { a: { ...simulated, capabilities: ['review'] }, b: simulated }, store: 'memory:' };

  it('accepts a multi-step workflow with one summary line listing its steps in order', async () => {
    const t = await tempConfig(config, [
      {
        name: 'ship',
        steps: {
          review: { workflow: 'solo', needs: ['plan'], forEach: 'steps.plan.output.files', input: "{ 'content': item }" },
          plan: { agent: 'a', input: "{ 'spec': input.spec }" },
        },
        output: "{ 'reviews': steps.review.output }",
      },
      { name: 'solo', capability: 'review' },
    ]);
    const { code, stdout, stderr } = await validate(t);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toContain('workflows/ship.json: workflow ship → 2 steps: plan, review');
  });

  it('names the exact path of every problem in the steps, and exits 1', async () => {
    const t = await tempConfig(config, [
      {
        name: 'ship',
        steps: {
          a: { agent: 'a', needs: ['c'] },
          b: { agent: 'a', needs: ['a'] },
          c: { agent: 'a', needs: ['b'] },
          d: { agent: 'a', needs: ['ghost'] },
          e: { agent: 'nobody' },
          f: { capability: 'quantum' },
          g: { workflow: 'nowhere' },
          h: { agent: 'a', workflow: 'solo' },
          i: { needs: ['a'] },
          j: { agent: 'a', input: "{ 'spec': }", when: 'input.go =' },
        },
        output: '$sum(',
      },
      { name: 'loop-a', steps: { down: { workflow: 'loop-b' } } },
      { name: 'loop-b', steps: { up: { workflow: 'loop-a' } } },
      { name: 'solo', capability: 'review' },
    ]);
    const { code, stdout, stderr } = await validate(t);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([
      'workflows/loop-a.json: steps.down.workflow: workflow "loop-a" includes itself: loop-a → loop-b → loop-a',
      'workflows/loop-b.json: steps.up.workflow: workflow "loop-b" includes itself: loop-b → loop-a → loop-b',
      'workflows/ship.json: steps.h.workflow: give only one of "agent", "capability" or "workflow" (found "agent" and "workflow")',
      'workflows/ship.json: steps.i: needs exactly one of "agent", "capability" or "workflow"',
    ]);

    // With the two kinds fixed, the checks behind the schema speak.
    await t.write('workflows/ship.json', {
      name: 'ship',
      steps: {
        a: { agent: 'a', needs: ['c'] },
        b: { agent: 'a', needs: ['a'] },
        c: { agent: 'a', needs: ['b'] },
        d: { agent: 'a', needs: ['ghost'] },
        e: { agent: 'nobody' },
        f: { capability: 'quantum' },
        g: { workflow: 'nowhere' },
        j: { agent: 'a', input: "{ 'spec': }", when: 'input.go =' },
      },
      output: '$sum(',
    });
    const after = await validate(t);
    expect(after.code).toBe(1);
    const shipLines = lines(after.stderr).filter((l) => l.startsWith('workflows/ship.json'));
    expect(shipLines).toEqual([
      'workflows/ship.json: steps.d.needs.0: unknown step "ghost" (steps: a, b, c, d, e, f, g, j)',
      'workflows/ship.json: steps.j.input: invalid JSONata at character 11: The symbol "}" cannot be used as a unary operator (S0211)',
      expect.stringMatching(/^workflows\/ship\.json: steps\.j\.when: invalid JSONata at character \d+: .+ \(S0\d+\)$/),
      expect.stringMatching(/^workflows\/ship\.json: output: invalid JSONata at character \d+: .+ \(S0\d+\)$/),
      'workflows/ship.json: steps.a.needs: cycle a → c → b → a',
      'workflows/ship.json: steps.e.agent: unknown agent "nobody" (agents: a, b)',
      'workflows/ship.json: steps.f.capability: no agent has the capability "quantum"',
      'workflows/ship.json: steps.g.workflow: unknown workflow "nowhere" (workflows: loop-a, loop-b, ship, solo)',
    ]);
    expect(after.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('warden serve with a bad config', () => {
  it('exits 1 with the same problem lines as validate, and never starts listening', async () => {
    const t = await brokenRoster();
    const expected = lines((await validate(t)).stderr);
    expect(expected.length).toBeGreaterThan(0);

    let started = false;
    const failure = await startWarden(['--config', t.configPath, '--store', 'memory:'], { cwd: t.dir }).then(
      async (w) => {
        started = true;
        await w.stop('SIGKILL');
        return '';
      },
      (err: Error) => err.message,
    );
    expect(started).toBe(false);
    expect(failure).toMatch(/^warden serve exited \(1\) before listening/);
    expect(failure).not.toContain('listening on');
    for (const problem of expected) expect(failure).toContain(problem);
    expect(failure).not.toMatch(STACK_FRAME);
  });
});

describe('client commands', () => {
  it('fail with one error line and exit 1 when Warden is unreachable', async () => {
    // Port 9 (discard) on loopback has nothing listening in the test environment.
    const { code, stdout, stderr } = await runCli(['submit', 'nope', '--url', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([expect.stringMatching(/^error: cannot reach Warden at http:\/\/127\.0\.0\.1:9\b/)]);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses --input that is not JSON with one error line, before calling the server', async () => {
    const { code, stderr } = await runCli(['submit', 'code-review', '--input', '{content:', '--url', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^error: --input is not valid JSON/)]);
  });

  it('refuses an --input @file that does not exist, naming it', async () => {
    const { code, stderr } = await runCli([
      'submit',
      'code-review',
      '--input',
      '@/definitely/not/here.json',
      '--url',
      'http://127.0.0.1:9',
    ]);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^error: cannot read input file \/definitely\/not\/here\.json: ENOENT/)]);
  });
});

describe('the warden command', () => {
  it('exits 1 with the help for an unknown command', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown command 'frobnicate'/);
    expect(stderr).toMatch(/Usage: warden/);
    for (const command of ['validate', 'serve', 'submit', 'show', 'tasks', 'agents']) expect(stderr).toContain(command);
  });

  it('prints the package version for --version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('exits 1 with usage for a bad option value', async () => {
    const { code, stderr } = await runCli(['serve', '--port', 'eighty', '--store', 'memory:']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--port/);
    expect(stderr).toMatch(/port number/);
    expect(stderr).not.toContain('listening on');
  });
});
