import type { ErrorBody, HealthResponse, Message, MessagesPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, CliRunner, type StartedCli } from './helpers/cli.js';
import { call, issueTokens } from './helpers/http.js';
import { canRunPrivatePostgres, PrivatePostgres } from './helpers/private-postgres.js';

const SENDERS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One answered send, as its sender saw it. */
interface Outcome {
  id: string;
  status: number;
  ms: number;
  at: number;
  body: unknown;
}

/** Everything in a channel's history, oldest first, by paging back from the newest. */
async function wholeHistory(baseUrl: string, apiKey: string, channelId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? 'limit=200' : `limit=200&before=${before}`;
    const page = await call<MessagesPage>(baseUrl, `/api/channels/${channelId}/messages?${query}`, { apiKey });
    expect(page.status).toBe(200);
    all.push(...page.body.messages);
    const oldest = page.body.messages.at(-1);
    if (!page.body.hasMore || !oldest) return all.reverse();
    before = oldest.seq;
  }
}

describe.runIf(canRunPrivatePostgres)('a PostgreSQL outage under load', () => {
  const runner = new CliRunner(() => ({ ...process.env, LOG_LEVEL: 'warn' }));
  let db: PrivatePostgres;
  let server: StartedCli;

  beforeAll(async () => {
    assertCliBuilt();
    db = await PrivatePostgres.start();
    server = await runner.start({ DATABASE_URL: db.url });
  }, 60_000);

  afterAll(async () => {
    await runner.killAll();
    db?.destroy();
  });

  it('answers 503 in the error shape within 2 s while the database is down, never exits, and serves again by itself', async () => {
    const apiKey = /chatsdk_[A-Za-z0-9_-]+/.exec(server.stdout())?.[0] ?? '';
    expect(apiKey).not.toBe('');
    const userIds = Array.from({ length: SENDERS }, (_, i) => `sender${i}`);
    const tokens: string[] = [];
    for (const userId of userIds) tokens.push((await issueTokens(server.baseUrl, apiKey, { userId })).token);
    const created = await call(server.baseUrl, '/api/channels', { apiKey, body: { type: 'messaging', id: 'outage', members: userIds } });
    expect(created.status).toBe(201);

    const outcomes: Outcome[] = [];
    let stop = false;
    const sender = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const id = `s${i}-${n}`;
        const started = Date.now();
        let status = 0;
        let body: unknown;
        try {
          const reply = await call(server.baseUrl, '/api/channels/outage/messages', { token: tokens[i], body: { id, text: `message ${id}` } });
          status = reply.status;
          body = reply.body;
        } catch (error) {
          body = String(error);
        }
        outcomes.push({ id, status, ms: Date.now() - started, at: started, body });
        if (status !== 201) await sleep(50);
      }
    };
    const senders = userIds.map((_, i) => sender(i));

    await sleep(1500);
    const crashedAt = Date.now();
    db.crash();
    await sleep(3000);
    const health = await call<HealthResponse>(server.baseUrl, '/health');
    expect(health.status).toBe(503);
    expect(health.body.store.ok).toBe(false);
    const downTokens = await call(server.baseUrl, '/tokens', { apiKey, body: { userId: 'late' } });
    expect(downTokens.status).toBe(503);
    expect((downTokens.body as ErrorBody).error.code).toBe('service_unavailable');

    const restartedAt = Date.now();
    db.restart();
    // Serving again by itself: every sender gets a send through after the restart.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !userIds.every((_, i) => outcomes.some((o) => o.id.startsWith(`s${i}-`) && o.status === 201 && o.at > restartedAt))) {
      await sleep(100);
    }
    stop = true;
    await Promise.all(senders);

    expect(server.child.exitCode, server.stderr()).toBeNull();
    const afterRestart = outcomes.filter((o) => o.at > restartedAt && o.status === 201);
    expect(new Set(afterRestart.map((o) => o.id.split('-')[0])).size).toBe(SENDERS);
    const during = outcomes.filter((o) => o.at > crashedAt + 200 && o.at < restartedAt);
    expect(during.length).toBeGreaterThan(SENDERS);
    for (const outcome of outcomes) {
      // Every answer is a success or the one error shape saying the store is away, and comes within 2 s.
      if (outcome.status !== 201) {
        expect(outcome.status, JSON.stringify(outcome)).toBe(503);
        expect((outcome.body as ErrorBody).error.code).toBe('service_unavailable');
      }
      expect(outcome.ms, JSON.stringify(outcome)).toBeLessThan(2000);
    }
    expect(during.every((o) => o.status === 503)).toBe(true);

    // Every acknowledged send is in the history exactly once.
    const history = await wholeHistory(server.baseUrl, apiKey, 'outage');
    const counts = new Map<string, number>();
    for (const message of history) counts.set(message.id, (counts.get(message.id) ?? 0) + 1);
    const acknowledged = outcomes.filter((o) => o.status === 201);
    expect(acknowledged.length).toBeGreaterThan(SENDERS * 2);
    for (const { id } of acknowledged) expect(counts.get(id), id).toBe(1);
  }, 90_000);

  it('chatsdk start waits for an unreachable database, retrying with backoff and saying so, then serves', async () => {
    const late = await PrivatePostgres.create();
    const starting = runner.begin({ DATABASE_URL: late.url }, 60_000);
    // Back only once the start has said it is waiting: a start slowed by a loaded machine must still find it away.
    const deadline = Date.now() + 45_000;
    while (!/database unreachable.*retrying/i.test(starting.output()) && Date.now() < deadline) await sleep(100);
    late.restart();
    const started = await starting.ready;
    expect(started.stdout() + started.stderr()).toMatch(/database unreachable.*retrying/i);
    const health = await call<HealthResponse>(started.baseUrl, '/health');
    expect(health.status).toBe(200);
    await started.stop();
    late.destroy();
  }, 90_000);

  it('chatsdk start does not wait on a database that answers but refuses (no such database): it exits with the reason', async () => {
    const db2 = await PrivatePostgres.start();
    try {
      const result = await runner.run(['start'], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db2.url.replace(/\/postgres$/, '/no_such_database') });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no_such_database/);
      expect(result.stderr).not.toMatch(/retrying/);
    } finally {
      db2.destroy();
    }
  }, 60_000);
});
