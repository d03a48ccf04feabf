import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Read state: marking read, read receipts, unread totals. */
export function readRoutes(_app: TypedApp, _ctx: ServerContext): void {}
