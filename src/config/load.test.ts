import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './ConfigError.js';
import type { LoadConfigOptions } from './load.js';
import { createLoadedConfig, jsonErrorMessage, loadConfig, loadWorkflowsFrom, parseConfig, parseWorkflow } from './load.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes a throwaway project: file name → JSON value, or raw text for a string. */
async function project(files: Record<string, unknown>): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'warden-config-')));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** The problem lines that loading `dir` reports, or `[]` when it loads. */
async function problemLines(dir: string, opts: LoadConfigOptions = {}): Promise<string[]> {
  try {
    await loadConfig({ cwd: dir, env: {}, ...opts });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
}

const sim = { adapter: { type: 'simulated' } };
const threeAgents = { a: sim, b: sim, c: sim };

describe('loadConfig', () => {
  it('reads agents.config.json in the working directory and every workflow of ./workflows, in file-name order', async () => {
    const dir = await project({
      'agents.config.json': { agents: threeAgents },
      'workflows/zeta.json': { name: 'zeta', agent: 'a' },
      'workflows/alpha.json': { name: 'alpha', agent: 'b' },
      'workflows/notes.txt': 'not a workflow',
      'workflows/nested/skip.json': { name: 'skip', agent: 'a' },
    });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.configPath).toBe(path.join(dir, 'agents.config.json'));
    expect(loaded.configDir).toBe(dir);
    expect([...loaded.workflows.keys()]).toEqual(['alpha', 'zeta']);
    expect(loaded.workflows.get('alpha')).toMatchObject({ name: 'alpha', agent: 'b', file: path.join(dir, 'workflows/alpha.json') });
  });

  it('takes the config path from configPath, then WARDEN_CONFIG, resolving workflowsDir against the config file', async () => {
    const dir = await project({
      'conf/warden.json': { agents: threeAgents, workflowsDir: '../flows' },
      'flows/w.json': { name: 'w', agent: 'a' },
      'other.json': { agents: { solo: sim } },
    });
    const viaEnv = await loadConfig({ cwd: dir, env: { WARDEN_CONFIG: 'conf/warden.json' } });
    expect(viaEnv.configDir).toBe(path.join(dir, 'conf'));
    expect([...viaEnv.workflows.keys()]).toEqual(['w']);
    const viaOption = await loadConfig({ cwd: dir, configPath: 'other.json', env: { WARDEN_CONFIG: 'conf/warden.json' } });
    expect(Object.keys(viaOption.config.agents)).toEqual(['solo']);
  });

  it('treats a missing default ./workflows as no workflows, but a missing explicit workflowsDir as a problem', async () => {
    const implicit = await project({ 'agents.config.json': { agents: threeAgents } });
    expect((await loadConfig({ cwd: implicit, env: {} })).workflows.size).toBe(0);
    const explicit = await project({ 'agents.config.json': { agents: threeAgents, workflowsDir: './flows' } });
    expect(await problemLines(explicit)).toEqual(['agents.config.json: workflowsDir: directory not found: flows']);
  });

  it('reports a missing config file at the root', async () => {
    const dir = await project({});
    expect(await problemLines(dir)).toEqual(['agents.config.json: (root): file not found']);
  });

  it('reports a directory given as the config file', async () => {
    const dir = await project({ 'cfg/x.json': {} });
    expect(await problemLines(dir, { configPath: 'cfg' })).toEqual(['cfg: (root): is a directory, not a file']);
  });

  it('reports invalid JSON with the file, line and column', async () => {
    const dir = await project({ 'agents.config.json': '{\n  "agents": {},\n  oops\n}' });
    expect(await problemLines(dir)).toEqual([
      'agents.config.json: (root): invalid JSON at line 3, column 3: Expected double-quoted property name',
    ]);
  });

  it('names a file outside the working directory by its absolute path', async () => {
    const dir = await project({});
    const elsewhere = await project({ 'agents.config.json': { agents: {} } });
    expect(await problemLines(dir, { configPath: path.join(elsewhere, 'agents.config.json') })).toEqual([
      `${path.join(elsewhere, 'agents.config.json')}: agents: needs at least one agent`,
    ]);
  });

  it('collects every problem of every file before throwing, config file first, then workflows by name', async () => {
    const dir = await project({
      'agents.config.json': { agents: threeAgents, fallbackChain: {} },
      'workflows/b-bad-json.json': '{ "name": ',
      'workflows/a-unknown-agent.json': { name: 'a-unknown-agent', agent: 'ghost' },
      'workflows/c-misnamed.json': { name: 'other', agent: 'a', timeoutMs: '5 s' },
    });
    const lines = await problemLines(dir);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^agents\.config\.json: fallbackChain: unknown key "fallbackChain" \(did you mean "fallbackChains"\?/);
    expect(lines.slice(1)).toEqual([
      'workflows/a-unknown-agent.json: agent: unknown agent "ghost" (agents: a, b, c)',
      'workflows/b-bad-json.json: (root): invalid JSON: Unexpected end of JSON input',
      expect.stringMatching(/^workflows\/c-misnamed\.json: timeoutMs: invalid duration "5 s"/),
      'workflows/c-misnamed.json: name: must equal the file name without .json ("c-misnamed"), got "other"',
    ]);
  });

  it('still checks references when another part of the config fails its schema', async () => {
    const dir = await project({
      'agents.config.json': { agents: { a: { ...sim, timeoutMs: 'soon' }, b: sim }, fallbackChains: { b: ['ghost'] } },
      'workflows/w.json': { name: 'w', agent: 'nobody' },
    });
    expect(await problemLines(dir)).toEqual([
      expect.stringMatching(/^agents\.config\.json: agents\.a\.timeoutMs: invalid duration "soon"/),
      'agents.config.json: fallbackChains.b.0: unknown agent "ghost" (agents: a, b)',
      'workflows/w.json: agent: unknown agent "nobody" (agents: a, b)',
    ]);
  });

  it('throws a ConfigError with code CONFIG_INVALID and structured problems', async () => {
    const dir = await project({ 'agents.config.json': { agents: { a: { ...sim, maxConcurrency: 0 } } } });
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG_INVALID',
      problems: [{ file: 'agents.config.json', path: 'agents.a.maxConcurrency', message: 'Too small: expected number to be >=1' }],
    });
  });

  it('resolves module paths against the file that names them and hands them over absolute', async () => {
    const dir = await project({
      'agents.config.json': { agents: { m: { adapter: { type: 'module', path: './agents/m.js' } } }, workflowsDir: 'flows' },
      'agents/m.js': 'export default () => ({})',
      'flows/w.json': { name: 'w', agent: 'm', degraded: { module: './degrade.js' } },
      'flows/degrade.js': 'export default () => ({})',
    });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.config.agents.m?.adapter).toEqual({ type: 'module', path: path.join(dir, 'agents/m.js'), export: 'default' });
    expect(loaded.workflows.get('w')?.degraded).toEqual({ module: path.join(dir, 'flows/degrade.js'), export: 'default' });
  });

  it('accepts an in-memory config and workflows in place of files', async () => {
    const dir = await project({});
    const loaded = await loadConfig({ cwd: dir, env: {}, config: { agents: threeAgents }, workflows: [{ name: 'w', agent: 'c' }] });
    expect(loaded.configPath).toBe('<config>');
    expect(loaded.configDir).toBe(dir);
    expect(loaded.workflows.get('w')).toMatchObject({ agent: 'c', file: '<workflow w>', deadlineMs: 600_000 });
  });
});

describe('cross-checks', () => {
  async function problemsFor(config: Record<string, unknown>, workflows: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
    const files: Record<string, unknown> = { 'agents.config.json': config };
    for (const [name, wf] of Object.entries(workflows)) files[`workflows/${name}.json`] = wf;
    return problemLines(await project(files), { env });
  }

  it('reports fallback chains naming unknown agents, as key or as member', async () => {
    expect(await problemsFor({ agents: threeAgents, fallbackChains: { ghost: ['a'], a: ['b', 'c', 'phantom'] } })).toEqual([
      'agents.config.json: fallbackChains.ghost: unknown agent "ghost" (agents: a, b, c)',
      'agents.config.json: fallbackChains.a.2: unknown agent "phantom" (agents: a, b, c)',
    ]);
  });

  it('reports a chain containing its own agent, a repeated member and a cycle across chains', async () => {
    expect(await problemsFor({ agents: threeAgents, fallbackChains: { a: ['a', 'b', 'b'] } })).toEqual([
      'agents.config.json: fallbackChains.a.0: "a" cannot fall back to itself',
      'agents.config.json: fallbackChains.a.2: "b" appears more than once in the chain',
    ]);
    expect(await problemsFor({ agents: threeAgents, fallbackChains: { a: ['b'], b: ['c'], c: ['a'] } })).toEqual([
      'agents.config.json: fallbackChains.c.0: fallback cycle: a → b → c → a',
    ]);
  });

  it("reports an agent's maxDelayMs below its initialDelayMs, and maxOpenMs below openMs", async () => {
    const a = { ...sim, retry: { maxDelayMs: 500 }, circuitBreaker: { openMs: '1m', maxOpenMs: '30s' } };
    expect(await problemsFor({ agents: { a } })).toEqual([
      'agents.config.json: agents.a.retry.maxDelayMs: must be ≥ initialDelayMs (1000)',
      'agents.config.json: agents.a.circuitBreaker.maxOpenMs: must be ≥ openMs (60000)',
    ]);
  });

  it('reports zero timeouts, deadlines and intervals as config errors, while zero retry delays stay allowed', async () => {
    const a = {
      ...sim,
      timeoutMs: 0,
      retry: { initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { openMs: '0s' },
      healthCheck: { type: 'passive', intervalMs: '0ms' },
    };
    const config = { agents: { a }, supervisor: { intervalMs: 0 }, escalation: { severities: { high: { repeatEveryMs: 0 } } } };
    expect(await problemsFor(config, { w: { name: 'w', agent: 'a', timeoutMs: '0s', deadlineMs: 0 } })).toEqual([
      'agents.config.json: agents.a.timeoutMs: invalid duration 0: must be more than 0 ms',
      'agents.config.json: agents.a.circuitBreaker.openMs: invalid duration "0s": must be more than 0 ms',
      'agents.config.json: agents.a.healthCheck.intervalMs: invalid duration "0ms": must be more than 0 ms',
      'agents.config.json: escalation.severities.high.repeatEveryMs: invalid duration 0: must be more than 0 ms',
      'agents.config.json: supervisor.intervalMs: invalid duration 0: must be more than 0 ms',
      'workflows/w.json: timeoutMs: invalid duration "0s": must be more than 0 ms',
      'workflows/w.json: deadlineMs: invalid duration 0: must be more than 0 ms',
    ]);
  });

  it("reports a workflow retry override that breaks the bounds once merged over its agents' retry options", async () => {
    const config = {
      agents: { a: { ...sim, retry: { maxDelayMs: '10s' } }, b: { ...sim, retry: { maxDelayMs: '2s' } }, c: sim },
      fallbackChains: { a: ['b', 'c'] },
    };
    expect(await problemsFor(config, { w: { name: 'w', agent: 'a', retry: { initialDelayMs: '5s' } } })).toEqual([
      'workflows/w.json: retry.maxDelayMs: must be ≥ initialDelayMs (5000) once merged over the retry options of "b"',
    ]);
    expect(await problemsFor(config, { w: { name: 'w', agent: 'a', retry: { initialDelayMs: '1s' } } })).toEqual([]);
  });

  it('reports a workflow whose agent is unknown, or whose capability no agent has', async () => {
    const config = { agents: { a: { ...sim, capabilities: ['review'] } } };
    expect(
      await problemsFor(config, {
        x: { name: 'x', agent: 'ghost' },
        y: { name: 'y', capability: 'quantum' },
        z: { name: 'z', capability: 'review' },
      }),
    ).toEqual([
      'workflows/x.json: agent: unknown agent "ghost" (agents: a)',
      'workflows/y.json: capability: no agent has the capability "quantum"',
    ]);
  });

  it('reports a workflow whose name differs from its file name', async () => {
    expect(await problemsFor({ agents: threeAgents }, { 'code-review': { name: 'codereview', agent: 'a' } })).toEqual([
      'workflows/code-review.json: name: must equal the file name without .json ("code-review"), got "codereview"',
    ]);
  });

  it('reports severity channels missing from escalation.channels', async () => {
    const escalation = { severities: { high: { channels: ['console', 'pager'] } } };
    expect(await problemsFor({ agents: threeAgents, escalation })).toEqual([
      'agents.config.json: escalation.severities.high.channels.1: unknown channel "pager" (channels: console)',
    ]);
  });

  it('reports module files that do not exist, resolved relative to the file that names them', async () => {
    const config = { agents: { m: { adapter: { type: 'module', path: './agents/missing.js' } } } };
    expect(await problemsFor(config, { w: { name: 'w', agent: 'm', degraded: { module: './nope.js' } } })).toEqual([
      'agents.config.json: agents.m.adapter.path: module file not found: ./agents/missing.js (resolved relative to the config file)',
      'workflows/w.json: degraded.module: module file not found: ./nope.js (resolved relative to the workflow file)',
    ]);
  });

  it("reports a command adapter's missing working directory", async () => {
    const config = { agents: { c: { adapter: { type: 'command', command: 'node', cwd: './nowhere' } } } };
    expect(await problemsFor(config)).toEqual([
      'agents.config.json: agents.c.adapter.cwd: directory not found: ./nowhere (resolved relative to the config file)',
    ]);
  });
});

describe('environment variables', () => {
  const slack = { type: 'slack', channel: '#eng', tokenEnv: 'SLACK_BOT_TOKEN' };
  const email = {
    type: 'email',
    from: 'w@example.com',
    to: ['o@example.com'],
    smtp: { host: '127.0.0.1', userEnv: 'SMTP_USER', passwordEnv: 'SMTP_PASSWORD' },
  };
  const escalation = {
    channels: { 'eng-slack': slack, mail: email },
    severities: { medium: { channels: ['eng-slack'] }, critical: { channels: ['mail'] } },
  };
  const agents = {
    llm: { adapter: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3', apiKeyEnv: 'OPENAI_API_KEY' } },
    web: { adapter: { type: 'http', url: 'http://127.0.0.1:9001/run', headersEnv: { authorization: 'AGENT_TOKEN' } } },
  };

  async function envProblems(env: NodeJS.ProcessEnv, config: Record<string, unknown> = { agents, escalation }, checkEnv = true) {
    return problemLines(await project({ 'agents.config.json': config }), { env, checkEnv });
  }

  it('reports every secret variable that routed channels and agents name but the environment lacks', async () => {
    expect(await envProblems({ SMTP_USER: '' })).toEqual([
      'agents.config.json: agents.llm.adapter.apiKeyEnv: environment variable OPENAI_API_KEY is not set',
      'agents.config.json: agents.web.adapter.headersEnv.authorization: environment variable AGENT_TOKEN is not set',
      'agents.config.json: escalation.channels.eng-slack.tokenEnv: environment variable SLACK_BOT_TOKEN is not set',
      'agents.config.json: escalation.channels.mail.smtp.userEnv: environment variable SMTP_USER is not set',
      'agents.config.json: escalation.channels.mail.smtp.passwordEnv: environment variable SMTP_PASSWORD is not set',
    ]);
  });

  it('is satisfied once every variable is set', async () => {
    const env = { OPENAI_API_KEY: 'k', AGENT_TOKEN: 't', SLACK_BOT_TOKEN: 'x', SMTP_USER: 'u', SMTP_PASSWORD: 'p' };
    expect(await envProblems(env)).toEqual([]);
  });

  it('does not require the secrets of a channel that no severity or route uses', async () => {
    expect(await envProblems({}, { agents: { a: sim }, escalation: { channels: { 'eng-slack': slack } } })).toEqual([]);
  });

  it('requires the secrets of a channel that only a route uses', async () => {
    const config = {
      agents: { a: sim },
      escalation: { channels: { 'eng-slack': slack }, routes: [{ match: { workflow: 'x' }, channels: ['eng-slack'] }] },
    };
    expect(await envProblems({}, config)).toEqual([
      'agents.config.json: escalation.channels.eng-slack.tokenEnv: environment variable SLACK_BOT_TOKEN is not set',
    ]);
  });

  it('skips the environment checks when checkEnv is false', async () => {
    expect(await envProblems({}, { agents, escalation }, false)).toEqual([]);
  });
});

describe('createLoadedConfig', () => {
  it('builds a loaded config from objects alone, with defaults filled in', () => {
    const loaded = createLoadedConfig({ agents: { echo: sim } }, { workflows: [{ name: 'hello', agent: 'echo' }], env: {} });
    expect(loaded.config.agents.echo?.retry.maxAttempts).toBe(3);
    expect(loaded.workflows.get('hello')).toMatchObject({ name: 'hello', severity: 'medium', file: '<workflow hello>' });
  });

  it('labels the problems of in-memory objects', () => {
    expect(() =>
      createLoadedConfig(
        { agents: { echo: sim }, fallbackChains: { echo: ['x'] } },
        {
          workflows: [
            { name: 'hello', agent: 'nope' },
            { name: 'hello', agent: 'echo' },
          ],
          env: {},
        },
      ),
    ).toThrow(
      [
        '<config>: fallbackChains.echo.0: unknown agent "x" (agents: echo)',
        '<workflow hello>: name: workflow "hello" is also defined in <workflow hello>',
        '<workflow hello>: agent: unknown agent "nope" (agents: echo)',
      ].join('\n'),
    );
  });
});

describe('parseConfig and loadWorkflowsFrom', () => {
  it('parseConfig validates an object and names the given file in problems', () => {
    expect(parseConfig({ agents: { a: sim } }, 'inline.json', {}).agents.a?.timeoutMs).toBe(30_000);
    expect(() => parseConfig({ agents: { a: sim }, extra: 1 }, 'inline.json', {})).toThrow(/^inline\.json: extra: unknown key "extra"/);
  });

  it('loadWorkflowsFrom loads a folder of workflows and checks each name against its file', async () => {
    const dir = await project({ 'w/one.json': { name: 'one', agent: 'a' }, 'w/two.json': { name: 'deux', capability: 'x' } });
    await expect(loadWorkflowsFrom('w', { cwd: dir })).rejects.toThrow(
      'w/two.json: name: must equal the file name without .json ("two"), got "deux"',
    );
    await rm(path.join(dir, 'w/two.json'));
    expect([...(await loadWorkflowsFrom(path.join(dir, 'w'))).keys()]).toEqual(['one']);
  });
});

describe('jsonErrorMessage', () => {
  it('works out the line and column from a bare position', () => {
    expect(jsonErrorMessage('{\n  "a": x', 'Unexpected token x in JSON at position 9')).toBe(
      'invalid JSON at line 2, column 8: Unexpected token x',
    );
  });
});

describe('multi-step workflows', () => {
  const config = { agents: { a: { ...sim, capabilities: ['review'] }, b: sim } };
  const ship = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'ship', steps, ...extra });

  async function problemsFor(workflows: Record<string, unknown>) {
    const files: Record<string, unknown> = { 'agents.config.json': config };
    for (const [name, wf] of Object.entries(workflows)) files[`workflows/${name}.json`] = wf;
    return problemLines(await project(files));
  }

  it('loads a multi-step workflow compiled, its steps in order and their degraded modules resolved', async () => {
    const dir = await project({
      'agents.config.json': config,
      'workflows/ship.json': ship({
        review: { capability: 'review', needs: ['plan'], degraded: { module: './degrade.js' } },
        plan: { agent: 'a', input: "{ 'spec': input.spec }" },
      }),
      'workflows/degrade.js': 'export default () => ({});',
    });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    const wf = loaded.workflows.get('ship');
    expect(wf?.run?.order).toEqual(['plan', 'review']);
    expect(wf?.run?.steps.plan?.input?.source).toBe("{ 'spec': input.spec }");
    expect(wf?.steps?.review?.degraded).toEqual({ module: path.join(dir, 'workflows/degrade.js'), export: 'default' });
    expect(wf?.run?.steps.review?.degraded).toEqual(wf?.steps?.review?.degraded);
  });

  it('reports steps naming an unknown agent, a capability no agent has, or an unknown workflow', async () => {
    expect(
      await problemsFor({
        ship: ship({ a: { agent: 'ghost' }, b: { capability: 'quantum' }, c: { workflow: 'nowhere' }, d: { capability: 'review' } }),
        solo: { name: 'solo', agent: 'b' },
      }),
    ).toEqual([
      'workflows/ship.json: steps.a.agent: unknown agent "ghost" (agents: a, b)',
      'workflows/ship.json: steps.b.capability: no agent has the capability "quantum"',
      'workflows/ship.json: steps.c.workflow: unknown workflow "nowhere" (workflows: ship, solo)',
    ]);
  });

  it("checks a step's retry override and degraded module as it would a workflow's", async () => {
    expect(
      await problemsFor({ ship: ship({ s: { agent: 'a', retry: { initialDelayMs: '1m' }, degraded: { module: './nope.js' } } }) }),
    ).toEqual([
      'workflows/ship.json: steps.s.retry.maxDelayMs: must be ≥ initialDelayMs (60000) once merged over the retry options of "a"',
      'workflows/ship.json: steps.s.degraded.module: module file not found: ./nope.js (resolved relative to the workflow file)',
    ]);
  });

  it('reports a workflow that runs itself, directly or through others, naming the chain in each file', async () => {
    expect(await problemsFor({ loop: { name: 'loop', steps: { again: { workflow: 'loop' } } } })).toEqual([
      'workflows/loop.json: steps.again.workflow: workflow "loop" includes itself: loop → loop',
    ]);
    expect(
      await problemsFor({
        a: { name: 'a', steps: { first: { agent: 'a' }, down: { workflow: 'b', needs: ['first'] } } },
        b: { name: 'b', steps: { deeper: { workflow: 'c' } } },
        c: { name: 'c', steps: { back: { workflow: 'a' }, fine: { workflow: 'leaf' } } },
        leaf: { name: 'leaf', agent: 'a' },
      }),
    ).toEqual([
      'workflows/a.json: steps.down.workflow: workflow "a" includes itself: a → b → c → a',
      'workflows/b.json: steps.deeper.workflow: workflow "b" includes itself: b → c → a → b',
      'workflows/c.json: steps.back.workflow: workflow "c" includes itself: c → a → b → c',
    ]);
  });

  it('reports syntax errors and cycles within a workflow next to its other problems, even when the config is broken', async () => {
    const files = {
      'agents.config.json': { agents: { a: sim }, store: 'mysql://x' },
      'workflows/ship.json': ship({ a: { agent: 'a', needs: ['b'], when: 'input.go =' }, b: { agent: 'a', needs: ['a'] } }),
    };
    expect(await problemLines(await project(files))).toEqual([
      'agents.config.json: store: must start with "sqlite:", "memory:" or "postgres://"',
      expect.stringMatching(/^workflows\/ship\.json: steps\.a\.when: invalid JSONata at character \d+: /),
      'workflows/ship.json: steps.a.needs: cycle a → b → a',
    ]);
  });

  it('checks the expressions and the graph in parseWorkflow too', () => {
    expect(() => parseWorkflow(ship({ a: { agent: 'a', needs: ['zzz'] } }), 'ship.json')).toThrow(
      'ship.json: steps.a.needs.0: unknown step "zzz" (steps: a)',
    );
    expect(parseWorkflow(ship({ a: { agent: 'a' } })).steps?.a?.agent).toBe('a');
  });
});
