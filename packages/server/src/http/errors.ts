import type { ErrorBody, ErrorCode } from '@chatsdk/protocol';
import { statusOf } from '@chatsdk/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { Store } from '../store/store.js';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `body/userId must match pattern …`, naming the offending field as a developer would look for it. */
function describeValidation(context: string | undefined, issues: ValidationIssue[]): string {
  const issue = issues[0];
  if (!issue) return `${context ?? 'request'} is invalid`;
  const where = `${context ?? 'request'}${issue.instancePath}`;
  if (issue.keyword === 'additionalProperties') return `${where} has an unknown field "${String(issue.params.additionalProperty)}"`;
  if (issue.keyword === 'required') return `${where} is missing the field "${String(issue.params.missingProperty)}"`;
  return `${where} ${issue.message ?? 'is invalid'}`;
}

/** Fastify's own client errors, by their stable codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

function byStatus(status: number): ErrorCode {
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  return 'validation_failed';
}

/**
 * Sends the one error shape. The body goes out as text, past the route's
 * response serializer: a route may declare its own shape for that status
 * (`/health` answers 503 with its health report), which an error must not take.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  extra: { details?: Record<string, unknown> | undefined; retryAfterSeconds?: number | undefined } = {},
): FastifyReply {
  const status = statusOf(code);
  const body: ErrorBody = { error: { code, message, status, requestId: String(request.id), ...(extra.details ? { details: extra.details } : {}) } };
  if (extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(extra.retryAfterSeconds))));
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Maps every failure to the error shape: known client errors to their code, the rest to 500/503 and the log. */
export function registerErrorHandling(app: FastifyInstance, store: Store): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) return sendError(request, reply, error.code, error.message, error);
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return sendError(request, reply, 'validation_failed', describeValidation(fastifyError.validationContext, fastifyError.validation as ValidationIssue[]));
    }
    const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
    if (known) return sendError(request, reply, known, error.message);
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // A JSON parse failure from the body parser carries 400 and no Fastify code.
      const code = error instanceof SyntaxError ? 'invalid_json' : byStatus(status);
      return sendError(request, reply, code, error.message);
    }
    if (store.dialect.isUnavailable(error)) {
      request.log.error({ err: error }, 'store unavailable');
      return sendError(request, reply, 'service_unavailable', 'the store is unreachable; retry later');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, 'internal_error', 'internal error');
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
