import { type LoadedConfig, loadConfigFile } from '../config/index.js';
import { type Db, openDatabase } from '../store/index.js';

export const CONFIG_OPTION = [
  '-c, --config <file>',
  'the config file',
  process.env.CONCORD_CONFIG ?? 'concord.yaml',
] as const;

export function loadConfig(path: string): LoadedConfig {
  return loadConfigFile(path);
}

/** Opens the configured store for an operator command, runs `fn`, and closes it. */
export async function withStore<T>(
  configPath: string,
  fn: (db: Db, loaded: LoadedConfig) => Promise<T>,
): Promise<T> {
  const loaded = loadConfig(configPath);
  const db = await openDatabase(loaded.config.store);
  try {
    return await fn(db, loaded);
  } finally {
    await db.close();
  }
}

/** Stops on SIGINT/SIGTERM: runs `stop` once, then exits. */
export function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write('\nforced exit\n');
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping…\n`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
