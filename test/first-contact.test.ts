/**
 * A new user's first minute, where the system Node is older than Warden needs: the first `npx
 * warden` in a clone runs the CLI without building the clone again and without npm's engine
 * warnings, and `bin/warden.js` run from another folder on the old Node runs the CLI on the Node
 * 24 that npm installed, passing on its exit code and signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { BIN, ROOT, until } from './helpers/warden.js';

/** The system Node when it is older than 22.13, as on the machines the issue was met on. */
function oldSystemNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const [major, minor] = r.stdout.trim().split('.').map(Number) as [number, number];
    if (major < 22 || (major === 22 && minor < 13)) return candidate;
  }
  return undefined;
}
const OLD_NODE = oldSystemNode();

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'warden-first-contact-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Whether scripts/skip-build.js lets prepare skip the build, under `npm <command>`. */
function skipsBuild(command: string, cwd = ROOT): boolean {
  const r = spawnSync(process.execPath, [path.join(cwd, 'scripts', 'skip-build.js')], { env: { ...process.env, npm_command: command } });
  return r.status === 0;
}

/** A stand-in clone: the project's package.json, .npmrc and prepare script, its node_modules, a stub CLI. */
async function standInClone(dir: string, built: boolean): Promise<void> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'scripts'), { recursive: true });
  for (const file of ['package.json', '.npmrc', 'scripts/skip-build.js']) await cp(path.join(ROOT, file), path.join(dir, file));
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await writeFile(
    path.join(dir, 'bin', 'warden.js'),
    '#!/usr/bin/env node\nconsole.log("the clone CLI " + process.argv.slice(2).join(" "));\n',
    {
      mode: 0o755,
    },
  );
  if (built) {
    await mkdir(path.join(dir, 'dist', 'cli'), { recursive: true });
    await writeFile(path.join(dir, 'dist', 'cli', 'main.js'), '');
  }
}

describe("npm install's prepare script", () => {
  it('builds under npm install, npm ci and npm pack, and under npx only when the CLI is not built', async () => {
    expect(skipsBuild('install')).toBe(false);
    expect(skipsBuild('ci')).toBe(false);
    expect(skipsBuild('pack')).toBe(false);
    const unbuilt = path.join(tmp, 'unbuilt');
    await standInClone(unbuilt, false);
    expect(skipsBuild('exec', unbuilt)).toBe(false);
    const built = path.join(tmp, 'built');
    await standInClone(built, true);
    expect(skipsBuild('exec', built)).toBe(true);
  });

  it('lets the first npx warden in a clone run the CLI at once, without building again or warning', async () => {
    const clone = path.join(tmp, 'first-npx');
    await standInClone(clone, true);
    const started = Date.now();
    const r = spawnSync('npm', ['exec', '--', 'warden', 'validate'], {
      cwd: clone,
      encoding: 'utf8',
      // A cache of its own, so this is the first npx warden of this clone, and offline: nothing is fetched.
      env: { ...process.env, npm_config_cache: path.join(tmp, 'npm-cache'), npm_config_offline: 'true' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('the clone CLI validate');
    expect(r.status).toBe(0);
    // npm's own start-up aside; the build alone took 13 s or more.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe.skipIf(!OLD_NODE)(`bin/warden.js on an old system Node (${OLD_NODE ?? 'none here'})`, () => {
  let config: TempConfig;
  beforeAll(async () => {
    config = await writeTempConfig({ agents: { solo: { adapter: { type: 'simulated' } } }, store: 'memory:' }, [
      { name: 'hello', agent: 'solo' },
    ]);
  });
  afterAll(async () => {
    await config?.remove();
  });

  it('runs the CLI on the pinned Node from another folder', () => {
    const r = spawnSync(OLD_NODE!, [BIN, 'validate'], { cwd: config.dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('workflows/hello.json: workflow hello → solo');
    expect(r.status).toBe(0);
  });

  it("leaves with the CLI's exit code", () => {
    const r = spawnSync(OLD_NODE!, [BIN, 'show', 'x', '--url', 'http://127.0.0.1:1'], { cwd: config.dir, encoding: 'utf8' });
    expect(r.stderr).toMatch(/^error: cannot reach Warden at http:\/\/127\.0\.0\.1:1/);
    expect(r.status).toBe(1);
  });

  it('passes SIGTERM on to serve, which drains and exits 0', async () => {
    const proc = spawn(OLD_NODE!, [BIN, 'serve', '--port', '0'], {
      cwd: config.dir,
      env: { ...process.env, WARDEN_LOG_LEVEL: 'info', WARDEN_LOG_FORMAT: 'json' },
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await until(async () => out.includes('listening on '));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('SIGTERM: draining');
    expect(err).toContain('"msg":"stopped"');
  });
});
