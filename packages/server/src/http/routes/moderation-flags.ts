import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Moderation routes: flags and the review queue. (Issue 17 foundation: filled in by its work.) */
export function flagRoutes(app: TypedApp, ctx: ServerContext): void {
  void app;
  void ctx;
}
