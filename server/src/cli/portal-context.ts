import { type AwsGateway, createAwsGateway } from '../aws/aws-gateway.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { applyMigrations } from '../db/migrator.ts';
import { createServices, type Services } from '../services/container.ts';

export interface PortalContext {
  config: Config;
  database: Database;
  aws: AwsGateway;
  services: Services;
  close(): Promise<void>;
}

/** The same settings, database and services the server uses, for the admin CLI and the demo. */
export async function openPortalContext(
  options: { config?: Config; aws?: AwsGateway; migrate?: boolean } = {},
): Promise<PortalContext> {
  const config = options.config ?? loadConfig();
  if (options.migrate ?? config.migrateOnStart) await applyMigrations(config.databaseUrl);
  const database = await openDatabase(config.databaseUrl);
  const aws = options.aws ?? createAwsGateway({ region: config.awsRegion });
  return {
    config,
    database,
    aws,
    services: createServices(database.prisma, config, aws),
    close: () => database.close(),
  };
}
