import type { HealthResponse as Health } from '@chatsdk/protocol';
import { HealthResponse } from '@chatsdk/protocol/schemas';
import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** A component that has not answered in this long counts as down: health must answer even when a store hangs. */
const PROBE_TIMEOUT_MS = 2000;

async function probe(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const answered = check().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /health`: 200 when the store and the bus answer, 503 otherwise. */
export function healthRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'Liveness and the state of the store and bus', response: { 200: HealthResponse, 503: HealthResponse } },
    },
    async (_request, reply) => {
      const [storeOk, busOk] = await Promise.all([probe(() => ctx.store.ping()), probe(() => ctx.bus.ping())]);
      const health: Health = {
        status: storeOk && busOk ? 'ok' : 'degraded',
        version: ctx.version,
        uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
        store: { kind: ctx.store.kind, ok: storeOk },
        bus: { kind: ctx.bus.kind, ok: busOk },
      };
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    },
  );
}
