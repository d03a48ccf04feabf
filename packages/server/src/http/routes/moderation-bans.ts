import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Moderation routes: bans (ban, lift, list). (Issue 17 foundation: filled in by its work.) */
export function banRoutes(app: TypedApp, ctx: ServerContext): void {
  void app;
  void ctx;
}
