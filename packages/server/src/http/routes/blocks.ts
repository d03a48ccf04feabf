import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Blocking users. */
export function blockRoutes(_app: TypedApp, _ctx: ServerContext): void {}
