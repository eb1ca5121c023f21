import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AwsGateway, createAwsGateway } from '../aws/aws-gateway.ts';
import type { Config } from '../config/config.ts';
import { createServices, type Services } from '../services/container.ts';
import { createPortalMetrics, type PortalMetrics } from '../services/metrics/portal-metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    metrics: PortalMetrics;
  }
}

export interface ServicesPluginOptions {
  config: Config;
  /** The door to AWS; built from the config (and the SDK's own environment) when absent. */
  aws?: AwsGateway;
}

async function servicesPlugin(app: FastifyInstance, options: ServicesPluginOptions): Promise<void> {
  const aws = options.aws ?? createAwsGateway({ region: options.config.awsRegion });
  const prisma = app.db.prisma;
  const metrics = createPortalMetrics({
    userLabels: options.config.metrics.userLabels,
    alive: {
      webSessions: () => prisma.webSession.count({ where: { userName: { not: null }, expiresAt: { gt: new Date() } } }),
      cliTokens: () => prisma.cliToken.count({ where: { revokedAt: null, expiresAt: { gt: new Date() } } }),
    },
  });
  const services = createServices(prisma, options.config, aws, app.log, metrics);
  app.decorate('services', services);
  app.decorate('metrics', metrics);
  // Scheduled compliance scans start once the server listens (never delaying readiness) and
  // stop before the database closes; `inject`-only tests never listen, so they scan on demand.
  app.addHook('onListen', async () => {
    services.complianceScheduler.start();
    services.housekeeping.start();
    services.auditOutbox.start();
  });
  app.addHook('onClose', async () => {
    await services.auditOutbox.stop();
    await services.housekeeping.stop();
    await services.complianceScheduler.stop();
  });
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database'] });
