import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A config folder in a fresh temp dir: `agents.config.json` and `workflows/*.json`. */
export interface TempConfig {
  readonly dir: string;
  /** The absolute path of `agents.config.json`. */
  readonly configPath: string;
  /** Writes (or overwrites) a file relative to `dir`; objects are written as JSON, strings as is. */
  write(file: string, content: unknown): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Writes `config` as `agents.config.json` and each workflow as `workflows/<name>.json` (by its
 * `name`, unless a `file` key says otherwise) into a fresh temp dir.
 */
export async function writeTempConfig(config: unknown, workflows: readonly Record<string, unknown>[] = []): Promise<TempConfig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'warden-test-'));
  const write = async (file: string, content: unknown) => {
    const full = path.join(dir, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  };
  await write('agents.config.json', config);
  await mkdir(path.join(dir, 'workflows'), { recursive: true });
  for (const wf of workflows) {
    const { file, ...body } = wf as { file?: string } & Record<string, unknown>;
    await write(`workflows/${file ?? String(body.name)}.json`, body);
  }
  return { dir, configPath: path.join(dir, 'agents.config.json'), write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A line like `    at foo (/x/y.js:12:34)`: the shape of a stack frame. */
export const STACK_FRAME = /\bat .*:\d+:\d+/;
