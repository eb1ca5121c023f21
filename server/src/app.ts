import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { AwsGateway } from './aws/aws-gateway.ts';
import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { loggerOptions, OneLinePerRequest } from './logging.ts';
import apiNoStore from './plugins/api-no-store.ts';
import crossSiteGuard from './plugins/cross-site-guard.ts';
import databasePlugin from './plugins/database.ts';
import drain from './plugins/drain.ts';
import errorHandler, { frameworkErrorReply } from './plugins/error-handler.ts';
import metricsPlugin from './plugins/metrics.ts';
import securityHeaders from './plugins/security-headers.ts';
import services from './plugins/services.ts';
import webSession from './plugins/web-session.ts';
import webStatic from './plugins/web-static.ts';
import adminAuditRoutes from './routes/admin-audit-routes.ts';
import adminCisRoutes from './routes/admin-cis-routes.ts';
import adminComplianceRoutes from './routes/admin-compliance-routes.ts';
import adminLockoutRoutes from './routes/admin-lockout-routes.ts';
import adminRoleRoutes from './routes/admin-role-routes.ts';
import adminUserRoutes from './routes/admin-user-routes.ts';
import apiDocsRoutes from './routes/api-docs-routes.ts';
import { API_DESCRIPTION } from './routes/api-docs-text.ts';
import awsConfigRoutes from './routes/aws-config-routes.ts';
import consoleRoutes from './routes/console-routes.ts';
import containerCredentialRoutes from './routes/container-credential-routes.ts';
import credentialRoutes from './routes/credential-routes.ts';
import deviceRoutes from './routes/device-routes.ts';
import healthRoutes from './routes/health-routes.ts';
import infoRoutes from './routes/info-routes.ts';
import metricsRoutes from './routes/metrics-routes.ts';
import mfaSetupRoutes from './routes/mfa-setup-routes.ts';
import openapiRoutes from './routes/openapi-routes.ts';
import revocationRoutes from './routes/revocation-routes.ts';
import sessionRoutes from './routes/session-routes.ts';
import { productInfo } from './services/product-info.ts';

export interface BuildAppOptions {
  config: Config;
  database: Database;
  /** Overrides the logger built from config (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
  /** The door to AWS; by default built from the config and the AWS SDK's own environment. */
  aws?: AwsGateway;
}

/** A client-supplied request id is kept only when it is short and harmless in logs and headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Builds the portal: external plugins, then the app's own plugins, then routes. Does not listen;
 * server.ts does, and tests use `inject` or listen on an ephemeral port.
 */
export async function buildApp(options: BuildAppOptions) {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    logController: new OneLinePerRequest(),
    // Believe X-Forwarded-For/-Proto/-Host only from the proxies in TRUSTED_PROXIES: the client is
    // the last address in the chain that is not one of them. Any other peer's headers are ignored.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: 64 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: (request) => {
      const offered = request.headers['x-request-id'];
      return typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    },
    // Close idle keep-alive sockets once the listener closes (after the drain, server.ts) so
    // finishing the in-flight requests does not wait on them.
    forceCloseConnections: 'idle',
    // A request that reaches a closing instance (accepted just before its listener closed) is
    // served like the in-flight ones, not answered 503 in Fastify's own shape: the database stays
    // open until every connection is done (server.ts), and a balancer cannot safely replay a POST.
    return503OnClosing: false,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorReply,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandler);
  await app.register(drain);
  await app.register(securityHeaders, {
    formTargets: Object.values(config.consoleFederationUrls).map((url) => new URL(url).origin),
  });
  await app.register(apiNoStore);
  await app.register(crossSiteGuard, { config });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // A coarse per-address ceiling against API floods, kept in each instance's memory; MFA guessing
  // has its own, stricter budget kept in the database (services/abuse). Pages, assets, health and
  // metrics are not counted: a team behind one NAT address loads them on every visit.
  await app.register(rateLimit, {
    max: config.apiRequestsPerMinute,
    timeWindow: '1 minute',
    allowList: (request) => !request.url.startsWith('/api/'),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'AWS MFA Portal API', version: productInfo().version, description: API_DESCRIPTION },
      servers: config.publicUrl ? [{ url: config.publicUrl }] : [],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(databasePlugin, { database: options.database });
  await app.register(services, { config, ...(options.aws ? { aws: options.aws } : {}) });
  await app.register(metricsPlugin);
  await app.register(webSession, { config });
  await app.register(webStatic, { root: config.webDistDir });

  await app.register(healthRoutes);
  await app.register(infoRoutes);
  await app.register(sessionRoutes, { config });
  await app.register(credentialRoutes, { config });
  await app.register(consoleRoutes, { config });
  await app.register(containerCredentialRoutes);
  await app.register(awsConfigRoutes, { config });
  await app.register(deviceRoutes);
  await app.register(adminComplianceRoutes);
  await app.register(adminCisRoutes);
  await app.register(adminAuditRoutes);
  await app.register(adminRoleRoutes);
  await app.register(adminUserRoutes);
  await app.register(adminLockoutRoutes);
  await app.register(mfaSetupRoutes, { config });
  await app.register(revocationRoutes);
  await app.register(openapiRoutes);
  await app.register(metricsRoutes, { settings: config.metrics });
  await app.register(apiDocsRoutes);
  return app;
}
