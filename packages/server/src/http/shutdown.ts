import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

/**
 * Answers requests that arrive while the server closes (pipelined behind one
 * in flight, or on a busy keep-alive connection) with `503
 * service_unavailable` in the one error shape, instead of Fastify's own
 * body: the app is built with `return503OnClosing: false`. Register before
 * every other `onRequest` hook but the request id's, so nothing else runs
 * for such a request.
 */
export function registerShutdownAnswer(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook: on every request but the last few, it costs one test and no promise.
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    // The connection goes with this answer: a load balancer retries elsewhere.
    reply.header('connection', 'close');
    sendError(request, reply, 'service_unavailable', 'this server is shutting down; retry the request');
  });
}
