import type { CreateTokenResponse, MessageNewEvent } from '@chatsdk/protocol';
import { expect } from 'vitest';
import { CliRunner, parseJsonOutput } from './cli.js';
import { call } from './http.js';
import type { TestStorage } from './stores.js';
import type { ReceivedWebhook, WebhookReceiver } from './webhook-receiver.js';

/** `apps create --json` prints this. */
export interface CreatedApp {
  id: string;
  apiKey: string;
}

/**
 * Runs real `chatsdk start` processes on `storage` whose webhooks may reach
 * `receiver` (and only it), with a short poll and lease so a test need not
 * wait 30 s for a dead process's lease to run out.
 */
export function webhookCli(storage: () => TestStorage | undefined, receiver: () => WebhookReceiver | undefined, leaseMs = 1000): CliRunner {
  return new CliRunner(() => ({
    ...process.env,
    ...storage()?.env,
    REDIS_URL: '',
    CHATSDK_SECRET_KEY: '',
    CHATSDK_OUTBOUND_ALLOW_HOSTS: receiver()?.hostPort ?? '',
    CHATSDK_OUTBOX_POLL_MS: '50',
    CHATSDK_OUTBOX_LEASE_MS: String(leaseMs),
    LOG_LEVEL: 'warn',
  }));
}

/** Creates an app with the CLI. */
export async function createAppWithCli(cli: CliRunner, name: string): Promise<CreatedApp> {
  const created = await cli.run(['apps', 'create', name, '--json']);
  expect(created.code, created.stderr).toBe(0);
  return parseJsonOutput<CreatedApp>(created.stdout);
}

/** A user's REST token from a server. */
export async function tokenOn(baseUrl: string, apiKey: string, userId: string): Promise<string> {
  const reply = await call<CreateTokenResponse>(baseUrl, '/tokens', { apiKey, body: { userId } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.token;
}

/** The message a `message.new` delivery carries, with its channel and stream offset. */
export function messageOf(request: ReceivedWebhook): { id: string; channelId: string; offset: number } | undefined {
  if (request.body.type !== 'message.new') return undefined;
  const data = request.body.data as MessageNewEvent & { channelId: string; offset: number };
  return { id: data.message.id, channelId: data.channelId, offset: data.offset };
}

/** Asserts that, per channel, the deliveries a receiver accepted never go back in the stream (a repeat may follow its original). */
export function expectInOrderPerChannel(accepted: readonly ReceivedWebhook[]): void {
  const last = new Map<string, number>();
  for (const request of accepted) {
    const message = messageOf(request);
    if (!message) continue;
    const before = last.get(message.channelId) ?? 0;
    expect(message.offset, `channel ${message.channelId} went from offset ${before} back to ${message.offset}`).toBeGreaterThanOrEqual(before);
    last.set(message.channelId, message.offset);
  }
}
