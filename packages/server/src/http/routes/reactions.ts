import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Reactions on messages. */
export function reactionRoutes(_app: TypedApp, _ctx: ServerContext): void {}
