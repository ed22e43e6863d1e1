import { ConfigError, describeConfig, loadConfig } from '../../config/index.js';

/** `warden validate`: prints a summary line per file, or every problem; returns the exit code. */
export async function validateCommand(configPath?: string): Promise<number> {
  try {
    const loaded = await loadConfig(configPath ? { configPath } : {});
    for (const line of describeConfig(loaded)) console.log(line);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
