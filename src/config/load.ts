/**
 * Loading and validating `agents.config.json` and `workflows/*.json`, from files or from objects.
 * Every entry point collects all problems of all files first, then throws one {@link ConfigError}.
 *
 * Relative paths are resolved against the file that names them: `workflowsDir`, adapter
 * `module.path` and command `cwd` against the config file's folder, a workflow's
 * `degraded.module` against the workflow file's folder. A {@link LoadedConfig} carries those
 * paths already resolved (absolute), so the engine never resolves them again.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CompiledRun, compileRun } from '../runs/compileRun.js';
import type { ConfigProblem } from './ConfigError.js';
import { ConfigError, displayFile, dottedPath, problemsFromIssues } from './ConfigError.js';
import type { ConfigView, WorkflowEntry } from './crossCheck.js';
import { checkConfig, checkWorkflowNames, checkWorkflows, salvageView, viewOf } from './crossCheck.js';
import type { Config, DegradedConfig, Workflow } from './schema.js';
import { configSchema, isMultiStep, workflowSchema } from './schema.js';

/** A workflow as loaded, with where it came from. */
export type LoadedWorkflow = Workflow & {
  /** The absolute path of its file, or a label such as `<workflow code-review>` for an in-memory workflow. */
  readonly file: string;
  /** A multi-step workflow compiled for the engine (expressions compiled, steps in order); absent for a single-step one. */
  readonly run?: CompiledRun;
};

/** A validated config and its workflows, ready for the engine. */
export interface LoadedConfig {
  /** The parsed config, every default filled in; module paths and command `cwd`s are absolute. */
  readonly config: Config;
  /** The absolute path of the config file, or `<config>` for an in-memory config. */
  readonly configPath: string;
  /** The folder relative paths of the config resolve against (the working directory for an in-memory config). */
  readonly configDir: string;
  /** The workflows by name, in file-name order; `degraded.module` paths are absolute. */
  readonly workflows: Map<string, LoadedWorkflow>;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The config file. Defaults to `env.WARDEN_CONFIG`, then `agents.config.json` in `cwd`. */
  configPath?: string | undefined;
  /** An in-memory config to use instead of a file; its relative paths resolve against `cwd`. */
  config?: unknown;
  /** In-memory workflows to use instead of the files of `workflowsDir`. */
  workflows?: readonly unknown[] | undefined;
  /** The environment that `…Env` fields are checked against. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** The working directory. Defaults to `process.cwd()`. */
  cwd?: string | undefined;
  /** Whether to require every referenced secret environment variable to be set. Defaults to true. */
  checkEnv?: boolean | undefined;
}

/** Options of {@link createLoadedConfig}. */
export type CreateLoadedConfigOptions = Omit<LoadConfigOptions, 'configPath' | 'config'>;

/** The label of an in-memory config in problems and in {@link LoadedConfig.configPath}. */
export const INLINE_CONFIG = '<config>';

/**
 * Loads and validates the config file and every workflow of its `workflowsDir`.
 *
 * @example
 * const { config, workflows } = await loadConfig({ configPath: 'agents.config.json' });
 * @throws ConfigError listing every problem of every file.
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const problems: ConfigProblem[] = [];
  let json: unknown;
  let configPath = INLINE_CONFIG;
  let configDir = cwd;
  if (opts.config !== undefined) {
    json = opts.config;
  } else {
    configPath = path.resolve(cwd, opts.configPath ?? env.WARDEN_CONFIG ?? 'agents.config.json');
    configDir = path.dirname(configPath);
    const read = await readJsonFile(configPath, displayFile(configPath, cwd));
    problems.push(...read.problems);
    json = read.json;
  }

  let entries: WorkflowEntry[];
  if (opts.workflows !== undefined) {
    entries = parseInlineWorkflows(opts.workflows, configDir, problems);
  } else {
    const raw = (typeof json === 'object' && json !== null ? json : {}) as { workflowsDir?: unknown };
    const explicit = typeof raw.workflowsDir === 'string' && raw.workflowsDir !== '';
    const dir = path.resolve(configDir, explicit ? (raw.workflowsDir as string) : './workflows');
    entries = await readWorkflowDir(dir, cwd, explicit, problems, displayFile(configPath, cwd));
  }
  return finish(json, { configPath, configDir, cwd, env, checkEnv: opts.checkEnv ?? true }, entries, problems);
}

/**
 * Builds a {@link LoadedConfig} from a config object and workflow objects, without reading any
 * config or workflow file: for tests and for library users who keep their config in code.
 *
 * @example
 * const loaded = createLoadedConfig(
 *   { agents: { echo: { adapter: { type: 'simulated' } } } },
 *   { workflows: [{ name: 'hello', agent: 'echo' }] },
 * );
 * @throws ConfigError listing every problem.
 */
export function createLoadedConfig(config: unknown, opts: CreateLoadedConfigOptions = {}): LoadedConfig {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const problems: ConfigProblem[] = [];
  const entries = parseInlineWorkflows(opts.workflows ?? [], cwd, problems);
  const ctx = { configPath: INLINE_CONFIG, configDir: cwd, cwd, env: opts.env ?? process.env, checkEnv: opts.checkEnv ?? true };
  return finish(config, ctx, entries, problems);
}

/**
 * Validates a config object (schema and the checks within the config: fallback chains, retry
 * bounds, channels, environment variables, module files). Workflows are not looked at.
 *
 * @param json the config, e.g. the result of `JSON.parse`.
 * @param file how the config is named in problems. Defaults to `<config>`.
 * @param env the environment that `…Env` fields are checked against. Defaults to `process.env`.
 * @throws ConfigError listing every problem.
 */
export function parseConfig(
  json: unknown,
  file: string = INLINE_CONFIG,
  env: NodeJS.ProcessEnv = process.env,
  opts: { cwd?: string; checkEnv?: boolean } = {},
): Config {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const configDir = path.isAbsolute(file) ? path.dirname(file) : cwd;
  const result = parseConfigObject(json, displayFile(file, cwd), { configDir, env, checkEnv: opts.checkEnv ?? true });
  if (result.problems.length || !result.config) throw new ConfigError(result.problems);
  return result.config;
}

/**
 * Validates a workflow object on its own: the schema and, for a multi-step workflow, its
 * expressions and the graph of its steps. References to agents and other workflows are not checked.
 * @throws ConfigError listing every problem.
 */
export function parseWorkflow(json: unknown, file = '<workflow>'): Workflow {
  const result = workflowSchema.safeParse(json);
  if (!result.success) throw new ConfigError(problemsFromIssues(file, result.error.issues));
  if (isMultiStep(result.data)) {
    const { problems } = compileRun(result.data);
    if (problems.length) throw new ConfigError(problems.map((p) => ({ file, path: dottedPath(p.path), message: p.message })));
  }
  return result.data;
}

/**
 * Loads and validates every `*.json` file of a folder as a workflow (schema, and each name
 * equal to its file name). References to agents are not checked: that needs the config.
 * @throws ConfigError listing every problem of every file.
 */
export async function loadWorkflowsFrom(dir: string, opts: { cwd?: string } = {}): Promise<Map<string, LoadedWorkflow>> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const problems: ConfigProblem[] = [];
  const entries = await readWorkflowDir(path.resolve(cwd, dir), cwd, true, problems, displayFile(path.resolve(cwd, dir), cwd));
  const nameProblems = checkWorkflowNames(entries);
  const workflows = workflowMap(entries, problems);
  if (problems.length || nameProblems.length) throw new ConfigError([...problems, ...nameProblems]);
  return workflows;
}

interface FinishContext {
  configPath: string;
  configDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  checkEnv: boolean;
}

function finish(json: unknown, ctx: FinishContext, entries: WorkflowEntry[], problems: ConfigProblem[]): LoadedConfig {
  const configFile = displayFile(ctx.configPath, ctx.cwd);
  let config: Config | undefined;
  let view: ConfigView | undefined;
  // A file that could not be read or parsed as JSON has already been reported.
  if (json !== undefined || ctx.configPath === INLINE_CONFIG) {
    const parsed = parseConfigObject(json, configFile, ctx);
    problems.push(...parsed.problems);
    config = parsed.config;
    view = parsed.view;
  }
  const workflows = workflowMap(entries, problems);
  problems.push(...(view ? checkWorkflows(view, entries) : checkWorkflowNames(entries)));
  if (problems.length || !config) throw new ConfigError(sortByFile(problems, configFile));
  return {
    config: resolveConfigPaths(config, ctx.configDir),
    configPath: ctx.configPath,
    configDir: ctx.configDir,
    workflows,
  };
}

/**
 * Parses the config and runs the checks within it. When the schema fails, the checks still run
 * on the sections that parse, so one run reports as much as it can.
 */
function parseConfigObject(
  json: unknown,
  file: string,
  ctx: { configDir: string; env: NodeJS.ProcessEnv; checkEnv: boolean },
): { config?: Config; view?: ConfigView; problems: ConfigProblem[] } {
  const result = configSchema.safeParse(json);
  if (result.success) {
    const view = viewOf(result.data);
    return { config: result.data, view, problems: checkConfig(view, { file, ...ctx }) };
  }
  const view = salvageView(json);
  const problems = problemsFromIssues(file, result.error.issues);
  if (view) problems.push(...checkConfig(view, { file, ...ctx }));
  return { view, problems };
}

function parseInlineWorkflows(workflows: readonly unknown[], dir: string, problems: ConfigProblem[]): WorkflowEntry[] {
  const entries: WorkflowEntry[] = [];
  workflows.forEach((json, i) => {
    const name = (json as { name?: unknown } | null)?.name;
    const file = `<workflow ${typeof name === 'string' ? name : i}>`;
    const result = workflowSchema.safeParse(json);
    if (result.success) entries.push({ workflow: result.data, file, dir });
    else problems.push(...problemsFromIssues(file, result.error.issues));
  });
  return entries;
}

async function readWorkflowDir(
  dir: string,
  cwd: string,
  required: boolean,
  problems: ConfigProblem[],
  configFile: string,
): Promise<WorkflowEntry[]> {
  let names: string[];
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    names = dirents
      .filter((d) => d.isFile() && d.name.endsWith('.json'))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Without an explicit workflowsDir, a missing ./workflows just means no workflows yet.
    if (code === 'ENOENT' && !required) return [];
    const why = code === 'ENOENT' ? 'directory not found' : code === 'ENOTDIR' ? 'not a directory' : `cannot read directory (${String(e)})`;
    problems.push({ file: configFile, path: 'workflowsDir', message: `${why}: ${displayFile(dir, cwd)}` });
    return [];
  }
  const entries: WorkflowEntry[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const shown = displayFile(file, cwd);
    const read = await readJsonFile(file, shown);
    problems.push(...read.problems);
    if (read.json === undefined) continue;
    const expectedName = name.slice(0, -'.json'.length);
    const result = workflowSchema.safeParse(read.json);
    if (result.success) {
      entries.push({ workflow: result.data, file: shown, dir, expectedName, source: file });
    } else {
      problems.push(...problemsFromIssues(shown, result.error.issues));
      // The name check needs only the name, so it is not held back by other schema problems.
      const rawName = (read.json as { name?: unknown } | null)?.name;
      if (typeof rawName === 'string') problems.push(...checkWorkflowNames([{ workflow: { name: rawName }, file: shown, expectedName }]));
    }
  }
  return entries;
}

/** Reads and parses a JSON file; a missing, unreadable or malformed file is a problem at the root. */
async function readJsonFile(file: string, shown: string): Promise<{ json?: unknown; problems: ConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot read file (${(e as Error).message})`;
    return { problems: [{ file: shown, path: '', message }] };
  }
  try {
    return { json: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, problems: [] };
  } catch (e) {
    return { problems: [{ file: shown, path: '', message: jsonErrorMessage(text, (e as Error).message) }] };
  }
}

/** `invalid JSON at line 3, column 2: Expected double-quoted property name`, from V8's message. @internal */
export function jsonErrorMessage(text: string, v8Message: string): string {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(v8Message);
  const position = /at position (\d+)/.exec(v8Message);
  const reason = v8Message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '');
  let where = '';
  if (lineColumn) {
    where = ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  } else if (position) {
    const before = text.slice(0, Number(position[1])).split('\n');
    where = ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return `invalid JSON${where}: ${reason}`;
}

/**
 * The workflows by name, `degraded.module` paths made absolute (the workflow's and its steps'),
 * each multi-step workflow compiled; what stops one compiling goes into `problems`.
 */
function workflowMap(entries: readonly WorkflowEntry[], problems: ConfigProblem[]): Map<string, LoadedWorkflow> {
  const map = new Map<string, LoadedWorkflow>();
  for (const entry of entries) {
    const workflow: Workflow = { ...entry.workflow };
    if (workflow.degraded) workflow.degraded = resolveDegraded(workflow.degraded, entry.dir);
    if (workflow.steps) {
      const steps = Object.entries(workflow.steps);
      workflow.steps = Object.fromEntries(
        steps.map(([id, step]) => [id, step.degraded ? { ...step, degraded: resolveDegraded(step.degraded, entry.dir) } : step]),
      );
    }
    let run: CompiledRun | undefined;
    if (isMultiStep(workflow)) {
      const compiled = compileRun(workflow);
      for (const p of compiled.problems) problems.push({ file: entry.file, path: dottedPath(p.path), message: p.message });
      run = compiled.run;
    }
    map.set(workflow.name, { ...workflow, file: entry.source ?? entry.file, ...(run ? { run } : {}) });
  }
  return map;
}

function resolveDegraded(degraded: DegradedConfig, dir: string): DegradedConfig {
  return 'module' in degraded ? { ...degraded, module: path.resolve(dir, degraded.module) } : degraded;
}

function resolveConfigPaths(config: Config, configDir: string): Config {
  const agents: Config['agents'] = {};
  for (const [id, agent] of Object.entries(config.agents)) {
    const a = agent.adapter;
    if (a.type === 'module') agents[id] = { ...agent, adapter: { ...a, path: path.resolve(configDir, a.path) } };
    else if (a.type === 'command' && a.cwd !== undefined) agents[id] = { ...agent, adapter: { ...a, cwd: path.resolve(configDir, a.cwd) } };
    else agents[id] = agent;
  }
  return { ...config, agents };
}

/** The config file's problems first, then each workflow file's, by file name; found order within a file. */
function sortByFile(problems: ConfigProblem[], configFile: string): ConfigProblem[] {
  const key = (file: string) => (file === configFile ? '' : `~${file}`);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (key(a.p.file) < key(b.p.file) ? -1 : key(a.p.file) > key(b.p.file) ? 1 : a.i - b.i))
    .map(({ p }) => p);
}
