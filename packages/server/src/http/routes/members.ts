import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Channel members and the caller's own membership settings. */
export function memberRoutes(_app: TypedApp, _ctx: ServerContext): void {}
