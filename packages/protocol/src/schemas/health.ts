import { Type } from 'typebox';

const Component = Type.Object({ kind: Type.String(), ok: Type.Boolean() });

/** `GET /health` answer; 503 with `status: "degraded"` when a component is down. */
export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  store: Component,
  bus: Component,
});
