import type { FastifyPluginAsync } from 'fastify';
import { portalAwsError } from '../services/aws-error-mapping.ts';
import type { CatalogRole as StoredRole } from '../services/catalog/catalog-service.ts';
import { requireAdmin } from './admin-guard.ts';
import {
  AliasParams,
  CatalogRole,
  CatalogRoleChanges,
  CatalogRoles,
  ImportableRoles,
  NewCatalogRole,
} from './admin-schemas.ts';
import { originOf } from './request-origin.ts';
import type { RouteTypeProvider } from './route-type-provider.ts';
import { errorResponses, NoContent } from './schemas.ts';

export function catalogRoleBody(role: StoredRole) {
  return {
    ...role,
    warning:
      role.trustRequiresMfa === false
        ? ('trust_does_not_require_mfa' as const)
        : role.trustRequiresMfa === null
          ? ('trust_not_readable' as const)
          : null,
  };
}

/** AWS failures while reading roles become the one error shape (never a 500). */
const rethrow =
  (operation: string) =>
  (error: unknown): never => {
    throw portalAwsError(error, operation);
  };

/** The role catalog for admins: list, add (or import from IAM), edit, remove. Every change is audited. */
const adminRoleRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<RouteTypeProvider>();
  app.addHook('onRequest', requireAdmin);
  const tags = ['admin: roles'];
  const by = (request: { session: { userName?: string } } & Parameters<typeof originOf>[0]) => ({
    actor: request.session.userName!,
    origin: originOf(request),
  });

  app.get(
    '/api/v1/admin/roles',
    {
      schema: {
        summary: 'Every role in the catalog, with whether its trust policy requires MFA',
        tags,
        response: { 200: CatalogRoles, ...errorResponses },
      },
    },
    async () => ({ roles: (await app.services.catalog.list()).map(catalogRoleBody) }),
  );

  app.get(
    '/api/v1/admin/roles/importable',
    {
      schema: {
        summary: "The portal account's IAM roles (ListRoles), to add to the catalog",
        tags,
        response: { 200: ImportableRoles, ...errorResponses },
      },
    },
    async () => ({ roles: await app.services.catalog.importable().catch(rethrow('list roles (iam:ListRoles)')) }),
  );

  app.post(
    '/api/v1/admin/roles',
    {
      schema: {
        summary: 'Add a role to the catalog',
        tags,
        body: NewCatalogRole,
        response: { 201: CatalogRole, ...errorResponses },
      },
    },
    async (request, reply) => {
      const role = await app.services.catalog.add(request.body, by(request)).catch(rethrow('read roles (iam:GetRole)'));
      return reply.code(201).send(catalogRoleBody(role));
    },
  );

  app.patch(
    '/api/v1/admin/roles/:alias',
    {
      schema: {
        summary: 'Change who may request a role, its maximum duration, external ID or description',
        tags,
        params: AliasParams,
        body: CatalogRoleChanges,
        response: { 200: CatalogRole, ...errorResponses },
      },
    },
    async (request) =>
      catalogRoleBody(
        await app.services.catalog
          .update(request.params.alias, request.body, by(request))
          .catch(rethrow('read roles (iam:GetRole)')),
      ),
  );

  app.delete(
    '/api/v1/admin/roles/:alias',
    {
      schema: {
        summary: 'Remove a role from the catalog',
        tags,
        params: AliasParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await app.services.catalog.remove(request.params.alias, by(request));
      return reply.code(204).send(null);
    },
  );
};

export default adminRoleRoutes;
