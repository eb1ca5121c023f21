import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { applyMigrations } from './db/migrator.ts';

/**
 * Starts the portal: settings, database (migrated), app, listen. On SIGTERM it drains (serves on
 * while /readyz answers 503), then stops accepting connections, lets in-flight requests finish,
 * closes the database and exits; SIGINT skips the drain.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nThe portal did not start. See .env.example for every setting.`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  if (config.migrateOnStart) await applyMigrations(config.databaseUrl, { log: (line) => console.log(line) });
  const database = await openDatabase(config.databaseUrl);
  const app = await buildApp({ config, database });

  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    // SIGTERM is the orchestrator's: drain first (plugins/drain.ts). SIGINT is someone at a
    // terminal pressing Ctrl-C, who wants the process gone now.
    const drainMs = signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    if (drainMs > 0) {
      app.startDraining();
      app.log.info({ signal, drainMs }, 'shutting down: draining, /readyz answers 503 until the listener closes');
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    app.log.info({ signal }, 'shutting down: closing the listener, finishing in-flight requests');
    const deadline = setTimeout(() => {
      app.log.error('shutdown timed out; exiting with requests still open');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.close();
      await database.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  // Expected start-up failures (unreachable database, failed migration) carry a readable message.
  console.error(`The portal did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
