import type { DeliveriesPage, Webhook } from '@chatsdk/protocol';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhook } from '../src/domain/webhooks/webhooks.js';
import type { Store } from '../src/store/store.js';
import { assertCliBuilt, CliRunner, parseJsonOutput } from './helpers/cli.js';
import { call, expectError } from './helpers/http.js';
import { createTestStorage, storeKinds, type TestStorage } from './helpers/stores.js';
import { insertOutboxRows, outboxRowsOf } from './helpers/webhook-outbox.js';

// Each CLI run is a fresh Node process (a second or more on 2 busy cores): limits that catch hangs, not slowness.
const LONG = 120_000;
const MINUTE = 60_000;

describe.each(storeKinds)('chatsdk webhooks on %s', (kind) => {
  let storage: TestStorage;
  let store: Store;
  let appId: string;
  let apiKey: string;
  let webhookId: string;
  const cli = new CliRunner(() => ({ ...process.env, ...storage.env }));

  beforeAll(() => assertCliBuilt());
  beforeEach(async () => {
    storage = await createTestStorage(kind);
    // The CLI makes the app (and migrates the store); the webhook and its log are written as the server would.
    const created = await cli.run(['apps', 'create', 'Hooked', '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    ({ id: appId, apiKey } = parseJsonOutput<{ id: string; apiKey: string }>(created.stdout));
    store = storage.open();
    const { webhook } = await createWebhook({ store, webhookUrls: { allowHttp: false, allowHosts: ['127.0.0.1:9'] } }, appId, { url: 'http://127.0.0.1:9/hook', events: ['message.*'] });
    webhookId = webhook.id;
    const t0 = Date.now() - 10 * MINUTE;
    await insertOutboxRows(store, [
      { appId, webhookId, eventId: 'evt_1', lane: 'c1', status: 'delivered', createdAt: t0 },
      { appId, webhookId, eventId: 'evt_2', lane: 'c1', status: 'failed', createdAt: t0 + MINUTE },
      { appId, webhookId, eventId: 'evt_3', lane: 'c2', status: 'pending', createdAt: Date.now() - 30_000 },
    ]);
  });
  afterEach(async () => {
    await cli.killAll();
    await store.close();
    await storage.destroy();
  });

  it('webhooks list shows the app\'s webhooks (never a secret), by app id or name', { timeout: LONG }, async () => {
    const json = await cli.run(['webhooks', 'list', appId, '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const listed = parseJsonOutput<Webhook[]>(json.stdout);
    expect(listed).toEqual([expect.objectContaining({ id: webhookId, url: 'http://127.0.0.1:9/hook', events: ['message.*'], disabledAt: null })]);
    expect(json.stdout).not.toMatch(/whsec_|secret"/);

    const table = await cli.run(['webhooks', 'list', 'Hooked']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const [header, row, ...extra] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+URL\s+EVENTS\s+STATE\s+CREATED$/);
    expect(row).toMatch(new RegExp(`^${webhookId}\\s+http://127\\.0\\.0\\.1:9/hook\\s+message\\.\\*\\s+active\\s+\\d{4}-`));
    expect(extra).toEqual([]);
  });

  it('webhooks deliveries pages newest first with --limit and --cursor, and filters with --status', { timeout: LONG }, async () => {
    const first = await cli.run(['webhooks', 'deliveries', appId, webhookId, '--limit', '2', '--json']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const page1 = parseJsonOutput<DeliveriesPage>(first.stdout);
    expect(page1.deliveries.map((d) => d.id)).toEqual(['evt_3', 'evt_2']);
    expect(page1.next).not.toBeNull();
    const second = await cli.run(['webhooks', 'deliveries', appId, webhookId, '--limit', '2', '--cursor', page1.next ?? '', '--json']);
    expect(parseJsonOutput<DeliveriesPage>(second.stdout)).toMatchObject({ deliveries: [expect.objectContaining({ id: 'evt_1', status: 'delivered' })], next: null });

    const failed = await cli.run(['webhooks', 'deliveries', 'Hooked', webhookId, '--status', 'failed', '--json']);
    expect(parseJsonOutput<DeliveriesPage>(failed.stdout).deliveries.map((d) => [d.id, d.status, d.lastStatusCode])).toEqual([['evt_2', 'failed', 500]]);

    const table = await cli.run(['webhooks', 'deliveries', appId, webhookId, '--limit', '1']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+ATTEMPTS\s+LAST\s+MS\s+NEXT ATTEMPT\s+DELIVERED\s+CREATED$/);
    expect(lines[1]).toMatch(/^evt_3\s+message\.new\s+pending\s+0\s+-\s+-\s+\d{4}-/);
    expect(lines[2]).toMatch(/^more: --cursor \S+$/);
  });

  it('webhooks replay queues the events since a time again, in order, and prints what it did', { timeout: LONG }, async () => {
    const before = await outboxRowsOf(store, appId, webhookId);
    const replayed = await cli.run(['webhooks', 'replay', appId, webhookId, '--since', '5m', '--json']);
    expect(replayed).toMatchObject({ code: 0, stderr: '' });
    const outcome = parseJsonOutput<{ replayed: number; reenabled: boolean; since: string }>(replayed.stdout);
    expect(outcome).toMatchObject({ replayed: 1, reenabled: false });
    expect(Date.now() - Date.parse(outcome.since)).toBeGreaterThan(5 * MINUTE - 30_000);
    const copies = (await outboxRowsOf(store, appId, webhookId)).slice(before.length);
    expect(copies.map((row) => [row.event_id, row.status])).toEqual([['evt_3', 'pending']]);

    // Paused, then replayed since an ISO time: every event, in order, and the webhook on again.
    await store.db.updateTable('webhooks').set({ disabled_at: Date.now() }).where('id', '=', webhookId).execute();
    const all = await cli.run(['webhooks', 'replay', 'Hooked', webhookId, '--since', new Date(Date.now() - 20 * MINUTE).toISOString()]);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toMatch(new RegExp(`^Queued 3 events since \\S+ again for ${webhookId}\\. It was disabled and is enabled again\\.\\n$`));
    const after = (await outboxRowsOf(store, appId, webhookId)).slice(before.length + 1);
    expect(after.map((row) => row.event_id)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    const row = await store.db.selectFrom('webhooks').select('disabled_at').where('id', '=', webhookId).executeTakeFirstOrThrow();
    expect(row.disabled_at).toBeNull();
  });

  it('chatsdk start with CHATSDK_ALLOW_HTTP_WEBHOOKS=1 takes plain http webhook URLs (public addresses only); without it, https only', { timeout: LONG }, async () => {
    const create = (baseUrl: string, url: string) => call(baseUrl, '/api/app/webhooks', { apiKey, body: { url } });
    const strict = await cli.start({ CHATSDK_ALLOW_HTTP_WEBHOOKS: '' });
    expectError(await create(strict.baseUrl, 'http://93.184.216.34/hook'), 'webhook_url_refused', 400);
    expect((await create(strict.baseUrl, 'https://93.184.216.34/hook')).status).toBe(201);
    await strict.stop();

    const relaxed = await cli.start({ CHATSDK_ALLOW_HTTP_WEBHOOKS: '1' });
    expect((await create(relaxed.baseUrl, 'http://93.184.216.34/hook')).status).toBe(201);
    // http for every host is not every address: loopback stays refused.
    expectError(await create(relaxed.baseUrl, 'http://127.0.0.1:8080/hook'), 'webhook_url_refused', 400);
    await relaxed.stop();
  });

  it('says what is wrong, with exit 2 for usage and 1 for what does not exist, and changes nothing', { timeout: LONG }, async () => {
    const rowsBefore = await outboxRowsOf(store, appId, webhookId);
    const cases: Array<[string[], number, RegExp]> = [
      [['webhooks', 'replay', appId, 'wh_nope', '--since', '1h'], 1, /no webhook "wh_nope" in that app/],
      [['webhooks', 'deliveries', 'NoSuchApp', webhookId], 1, /no app "NoSuchApp"/],
      [['webhooks', 'replay', appId, webhookId], 2, /--since is required/],
      [['webhooks', 'replay', appId, webhookId, '--since', 'last tuesday'], 2, /--since "last tuesday"/],
      [['webhooks', 'deliveries', appId], 2, /usage: chatsdk webhooks deliveries/],
      [['webhooks', 'deliveries', appId, webhookId, '--status', 'lost'], 2, /--status must be one of/],
      [['webhooks', 'deliveries', appId, webhookId, '--limit', '0'], 2, /--limit/],
      [['webhooks', 'deliveries', appId, webhookId, '--cursor', 'abc'], 2, /--cursor: cursor is not one this API returned/],
      [['webhooks', 'list'], 2, /name the app/],
    ];
    // One at a time: nine Node processes at once would crowd the machine's other tests.
    for (const [args, code, message] of cases) {
      const result = await cli.run(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.startsWith('chatsdk: ')).toBe(true);
      expect(result.stdout).toBe('');
    }
    expect(await outboxRowsOf(store, appId, webhookId)).toEqual(rowsBefore);
  });
});
