import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** The Fastify instance routes are written against: TypeBox schemas type the handlers. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Every route documents the error shape for its failures. */
export const errorResponses = {
  '4xx': { $ref: 'ErrorResponse#' },
  '5xx': { $ref: 'ErrorResponse#' },
} as const;

/** OpenAPI security requirements. */
export const security = {
  server: [{ apiKey: [] }],
  user: [{ bearer: [] }],
  any: [{ bearer: [] }, { apiKey: [] }],
} as const;
