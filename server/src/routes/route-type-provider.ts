import type { FastifyTypeProvider } from 'fastify';
import type { Static, StaticDecode, TSchema } from 'typebox';

/**
 * TypeBox types for the routes: requests as clients send them, responses as routes return them
 * (`Date` where the schema says date-time: Fastify's serializer writes those as ISO strings).
 */
export interface RouteTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? StaticDecode<this['schema']> : unknown;
}
