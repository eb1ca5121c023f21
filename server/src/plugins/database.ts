import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DatabasePluginOptions {
  database: Database;
}

/**
 * Makes the opened, migrated database available as `app.db`. Whoever opened it closes it
 * (server.ts after the app has drained, tests in their teardown), so the app never closes a
 * connection another app instance in the same process still uses.
 */
async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions): Promise<void> {
  app.decorate('db', options.database);
}

export default fp(databasePlugin, { name: 'database' });
