import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Moderation routes: the moderation audit log and bulk deletes. (Issue 17 foundation: filled in by its work.) */
export function auditRoutes(app: TypedApp, ctx: ServerContext): void {
  void app;
  void ctx;
}
