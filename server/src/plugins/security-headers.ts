import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers for every response. The web UI is a plain Vite build with no inline script,
 * so the CSP allows scripts and styles from this origin only; `data:` images carry QR codes.
 */
async function securityHeadersPlugin(app: FastifyInstance, options: { formTargets?: string[] } = {}): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // A form posted to the portal may be redirected to the AWS federation endpoint ("Open
        // console" with a new code); browsers check form-action on that redirect too.
        formAction: ["'self'", ...(options.formTargets ?? [])],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

export default fp(securityHeadersPlugin, { name: 'security-headers' });
