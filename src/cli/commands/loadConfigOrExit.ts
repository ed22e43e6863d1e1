import { ConfigError, loadConfig, type LoadedConfig } from '../../config/index.js';

/**
 * Loads and checks the config; on any problem prints every `FILE: path: message` line and exits
 * 1, before anything has started.
 */
export async function loadConfigOrExit(configPath: string | undefined): Promise<LoadedConfig> {
  try {
    return await loadConfig(configPath ? { configPath } : {});
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
