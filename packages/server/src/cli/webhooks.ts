import type { DeliveryStatus, WebhookDelivery } from '@chatsdk/protocol';
import { findApp } from '../domain/auth/apps.js';
import { toIso } from '../domain/common/ids.js';
import { listDeliveries } from '../domain/webhooks/deliveries.js';
import { replayWebhook } from '../domain/webhooks/replay.js';
import { getWebhook, listWebhooks, toWireWebhook } from '../domain/webhooks/webhooks.js';
import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import { CliError, printJson, printTable } from './output.js';
import { withStore } from './with-store.js';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];
/** `90s`, `30m`, `2h`, `7d`: how far back, for `--since`. */
const AGO = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

async function appOf(store: Store, idOrName: string | undefined): Promise<string> {
  if (!idOrName) throw new CliError('name the app: its id or its name', 2);
  const app = await findApp(store, idOrName);
  if (!app) throw new CliError(`no app "${idOrName}"`);
  return app.id;
}

/** The app and the webhook of it a command names; an unknown webhook is a plain error, as in the API. */
async function webhookOf(store: Store, app: string | undefined, webhookId: string | undefined, usage: string): Promise<{ appId: string; webhookId: string }> {
  if (!webhookId) throw new CliError(`usage: ${usage}`, 2);
  const appId = await appOf(store, app);
  if (!(await getWebhook(store, appId, webhookId))) throw new CliError(`no webhook "${webhookId}" in that app`);
  return { appId, webhookId };
}

/** `--since`: an ISO-8601 time, or a span back from now (`2h`). */
export function parseSince(text: string | undefined, now = Date.now()): number {
  if (!text) throw new CliError('--since is required: an ISO-8601 time (2026-12-01T09:00:00Z) or a span back from now (30m, 2h, 7d)', 2);
  const ago = AGO.exec(text);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const at = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || !Number.isFinite(at)) throw new CliError(`--since "${text}" is neither an ISO-8601 time nor a span such as 2h`, 2);
  return at;
}

function lastResult(d: WebhookDelivery): string {
  if (d.lastStatusCode !== null) return d.lastError ? `${d.lastStatusCode} ${d.lastError}` : String(d.lastStatusCode);
  return d.lastError ?? '-';
}

/** `chatsdk webhooks list APP [--json]`: secrets are never shown. */
export async function webhooksList(app: string | undefined, options: { json: boolean }): Promise<void> {
  const webhooks = await withStore(async (store) => listWebhooks(store, await appOf(store, app)));
  const wire = webhooks.map((w) => toWireWebhook(w));
  if (options.json) return printJson(wire);
  printTable(
    ['ID', 'URL', 'EVENTS', 'STATE', 'CREATED'],
    wire.map((w) => [w.id, w.url, w.events.join(','), w.disabledAt ? `disabled ${w.disabledAt}` : 'active', w.createdAt]),
  );
}

/** `chatsdk webhooks deliveries APP WEBHOOK_ID [--status S] [--limit N] [--cursor C] [--json]`: newest first. */
export async function webhooksDeliveries(
  app: string | undefined,
  webhookId: string | undefined,
  options: { json: boolean; status?: string; limit?: string; cursor?: string },
): Promise<void> {
  const status = options.status as DeliveryStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, 2);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) throw new CliError('--limit must be a whole number from 1 to 100', 2);
  const page = await withStore(async (store) => {
    const named = await webhookOf(store, app, webhookId, 'chatsdk webhooks deliveries APP WEBHOOK_ID [--status pending|delivered|failed] [--limit N] [--cursor C]');
    try {
      return await listDeliveries(store, named.appId, named.webhookId, { status, limit, cursor: options.cursor });
    } catch (error) {
      // A bad cursor is the caller's mistake, reported like a bad option.
      if (error instanceof ApiError) throw new CliError(`--cursor: ${error.message}`, 2);
      throw error;
    }
  });
  if (options.json) return printJson(page);
  printTable(
    ['ID', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST', 'MS', 'NEXT ATTEMPT', 'DELIVERED', 'CREATED'],
    page.deliveries.map((d) => [
      d.id,
      d.type,
      d.status,
      String(d.attempts),
      lastResult(d),
      d.lastDurationMs === null ? '-' : String(d.lastDurationMs),
      d.nextAttemptAt ?? '-',
      d.deliveredAt ?? '-',
      d.createdAt,
    ]),
  );
  if (page.next) process.stdout.write(`more: --cursor ${page.next}\n`);
}

/** `chatsdk webhooks replay APP WEBHOOK_ID --since TIME [--json]`: queues every event since TIME again (and enables the webhook). */
export async function webhooksReplay(app: string | undefined, webhookId: string | undefined, options: { json: boolean; since?: string }): Promise<void> {
  const since = parseSince(options.since);
  const outcome = await withStore(async (store) => {
    const named = await webhookOf(store, app, webhookId, 'chatsdk webhooks replay APP WEBHOOK_ID --since TIME');
    return replayWebhook(store, named.appId, named.webhookId, since);
  });
  if (!outcome) throw new CliError(`no webhook "${webhookId}" in that app`);
  if (options.json) return printJson({ ...outcome, since: toIso(since) });
  const enabled = outcome.reenabled ? ' It was disabled and is enabled again.' : '';
  process.stdout.write(`Queued ${outcome.replayed} event${outcome.replayed === 1 ? '' : 's'} since ${toIso(since)} again for ${webhookId}.${enabled}\n`);
}
