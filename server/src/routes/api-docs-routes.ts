import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';

/**
 * /api/docs: Swagger UI rendering the OpenAPI document generated from the route schemas. Its
 * files come from the swagger-ui-dist package on this server (no CDN), and the page loads only
 * external scripts and stylesheets from this origin, so it runs inside the portal's strict CSP
 * (plugins/security-headers.ts) unchanged. Syntax highlighting is off: it paints with inline
 * style attributes, which that CSP blocks. The curl examples live in the document's description
 * (api-docs-text.ts).
 */
const apiDocsRoutes: FastifyPluginAsync = async (app) => {
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    theme: { title: 'AWS MFA Portal API' },
    uiConfig: {
      layout: 'BaseLayout',
      deepLinking: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      syntaxHighlight: false,
      tryItOutEnabled: false,
      validatorUrl: null,
    },
  });
};

export default apiDocsRoutes;
