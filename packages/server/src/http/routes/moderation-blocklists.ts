import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Moderation routes: blocklists (create, list, change, delete). (Issue 17 foundation: filled in by its work.) */
export function blocklistRoutes(app: TypedApp, ctx: ServerContext): void {
  void app;
  void ctx;
}
