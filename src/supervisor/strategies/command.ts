import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { INHERITED_ENV } from '../../agents/index.js';
import type { RecoveryStep } from '../../config/index.js';
import type { RecoveryStrategy } from './Strategy.js';

type CommandStep = Extract<RecoveryStep, { strategy: 'command' }>;

/**
 * Runs a program without a shell, with the component in `WARDEN_COMPONENT` (and the agent in
 * `WARDEN_AGENT`); exit code 0 is success. It is killed at the strategy's timeout.
 */
export const command: RecoveryStrategy = async (step, ctx) => {
  const s = step as CommandStep;
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) if (ctx.env[name] !== undefined) env[name] = ctx.env[name];
  Object.assign(env, s.env, {
    WARDEN_COMPONENT: ctx.component.name,
    ...(ctx.component.agent ? { WARDEN_AGENT: ctx.component.agent } : {}),
  });
  return new Promise((res, rej) => {
    const child = spawn(s.command, s.args, {
      cwd: resolve(ctx.configDir, s.cwd ?? '.'),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: false,
      signal: ctx.signal,
      killSignal: 'SIGKILL',
      windowsHide: true,
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    child.once('error', rej);
    child.once('close', (code, sig) =>
      res({
        ok: code === 0,
        detail: `${s.command} ${sig ? `killed by ${sig}` : `exited with code ${code}`}${code !== 0 && stderr ? `: ${stderr.trim()}` : ''}`,
      }),
    );
  });
};
