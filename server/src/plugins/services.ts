import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AwsGateway, createAwsGateway } from '../aws/aws-gateway.ts';
import type { Config } from '../config/config.ts';
import { createServices, type Services } from '../services/container.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface ServicesPluginOptions {
  config: Config;
  /** The door to AWS; built from the config (and the SDK's own environment) when absent. */
  aws?: AwsGateway;
}

async function servicesPlugin(app: FastifyInstance, options: ServicesPluginOptions): Promise<void> {
  const aws = options.aws ?? createAwsGateway({ region: options.config.awsRegion });
  const services = createServices(app.db.prisma, options.config, aws, app.log);
  app.decorate('services', services);
  // Scheduled compliance scans start once the server listens (never delaying readiness) and
  // stop before the database closes; `inject`-only tests never listen, so they scan on demand.
  app.addHook('onListen', async () => {
    services.complianceScheduler.start();
    services.housekeeping.start();
  });
  app.addHook('onClose', async () => {
    await services.housekeeping.stop();
    await services.complianceScheduler.stop();
  });
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database'] });
