import type { ServerContext } from '../context.js';
import type { TypedApp } from '../typed.js';

/** Moderation routes: user mutes. (Issue 17 foundation: filled in by its work.) */
export function muteRoutes(app: TypedApp, ctx: ServerContext): void {
  void app;
  void ctx;
}
