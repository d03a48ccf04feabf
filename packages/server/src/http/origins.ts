import { type AppRecord, listApps } from '../domain/auth/apps.js';
import type { Store } from '../store/store.js';

/** True when the app lets pages at `origin` call it: it lists no origins, lists `*`, or lists this one. */
export function originAllowed(app: Pick<AppRecord, 'allowedOrigins'>, origin: string | undefined): boolean {
  if (origin === undefined || app.allowedOrigins.length === 0) return true;
  return app.allowedOrigins.includes('*') || app.allowedOrigins.includes(origin);
}

/**
 * True when some app of this server lets `origin` in. A preflight carries no
 * credentials, so it cannot name its app: this is the most it can be told.
 * Apps are few (one per customer product) and the browser keeps a preflight
 * for 10 minutes, so reading them per question is cheap and never stale.
 */
export async function someAppAllows(store: Store, origin: string): Promise<boolean> {
  const apps = await listApps(store);
  return apps.some((app) => originAllowed(app, origin));
}
