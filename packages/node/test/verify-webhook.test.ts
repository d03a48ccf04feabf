import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeader, signedHeaders } from '../../server/src/domain/webhooks/signature.js';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from '../src/index.js';

// Signed by the server's own signing code, so these tests hold the two sides to one format.
const secret = newSigningSecret();
const body = JSON.stringify({ type: 'message.new', timestamp: '2026-12-02T03:00:00.000Z', data: { type: 'message.new', channelId: 'general', message: { id: 'm1', text: 'héllo ✓' } } });
const now = Date.now();
const headers = signedHeaders([secret], 'evt_1', body, now);

function reasonOf(run: () => unknown): WebhookVerificationReason | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('verifyWebhook', () => {
  it('accepts a delivery signed with the secret and returns its parsed body', () => {
    const event = verifyWebhook(headers, body, secret, { now });
    expect(event.type).toBe('message.new');
    expect(event.data).toMatchObject({ channelId: 'general', message: { text: 'héllo ✓' } });
    // The same bytes as a Buffer, and headers as the Fetch API or Node (any case, arrays) give them.
    expect(verifyWebhook(new Headers(headers), Buffer.from(body), secret, { now }).type).toBe('message.new');
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    expect(verifyWebhook(shouting, new TextEncoder().encode(body), secret, { now: new Date(now) }).type).toBe('message.new');
  });

  it('refuses a tampered body, id or timestamp', () => {
    expect(reasonOf(() => verifyWebhook(headers, body.replace('héllo', 'hello'), secret, { now }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook(headers, `${body} `, secret, { now }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ ...headers, 'webhook-id': 'evt_2' }, body, secret, { now }))).toBe('invalid_signature');
    const ts = Number(headers['webhook-timestamp']);
    expect(reasonOf(() => verifyWebhook({ ...headers, 'webhook-timestamp': String(ts + 1) }, body, secret, { now }))).toBe('invalid_signature');
  });

  it('refuses a delivery signed with another secret, and a signature that is not v1', () => {
    expect(reasonOf(() => verifyWebhook(headers, body, newSigningSecret(), { now }))).toBe('invalid_signature');
    const v1 = headers['webhook-signature'] ?? '';
    expect(reasonOf(() => verifyWebhook({ ...headers, 'webhook-signature': v1.replace('v1,', 'v2,') }, body, secret, { now }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ ...headers, 'webhook-signature': v1.slice(0, -6) }, body, secret, { now }))).toBe('invalid_signature');
  });

  it('refuses timestamps more than 5 minutes old or ahead, and accepts them inside', () => {
    expect(verifyWebhook(headers, body, secret, { now: now + 299_000 }).type).toBe('message.new');
    expect(reasonOf(() => verifyWebhook(headers, body, secret, { now: now + 301_000 }))).toBe('timestamp_too_old');
    expect(reasonOf(() => verifyWebhook(headers, body, secret, { now: now - 301_000 }))).toBe('timestamp_too_new');
    // The real clock: a delivery signed 10 minutes ago is refused without a `now`.
    const stale = signedHeaders([secret], 'evt_old', body, Date.now() - 600_000);
    expect(reasonOf(() => verifyWebhook(stale, body, secret))).toBe('timestamp_too_old');
    expect(verifyWebhook(stale, body, secret, { toleranceSeconds: 900 }).type).toBe('message.new');
  });

  it('accepts either secret during a rotation, whichever one the receiver holds', () => {
    const next = newSigningSecret();
    const both = signedHeaders([next, secret], 'evt_rot', body, now);
    expect(both['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(both, body, secret, { now }).type).toBe('message.new');
    expect(verifyWebhook(both, body, next, { now }).type).toBe('message.new');
    // A receiver given both secrets accepts deliveries signed by only one of them, before and after.
    expect(verifyWebhook(headers, body, [next, secret], { now }).type).toBe('message.new');
    expect(verifyWebhook(signedHeaders([next], 'evt_new', body, now), body, [next, secret], { now }).type).toBe('message.new');
    expect(reasonOf(() => verifyWebhook(both, body, [newSigningSecret(), newSigningSecret()], { now }))).toBe('invalid_signature');
  });

  it('refuses missing headers, a malformed timestamp, a parsed body and a body that is not an event', () => {
    const { 'webhook-signature': _dropped, ...unsigned } = headers;
    expect(reasonOf(() => verifyWebhook(unsigned, body, secret, { now }))).toBe('missing_header');
    expect(reasonOf(() => verifyWebhook({ ...headers, 'webhook-timestamp': '12e9' }, body, secret, { now }))).toBe('invalid_timestamp');
    const parsed = JSON.parse(body) as unknown as string;
    expect(reasonOf(() => verifyWebhook(headers, parsed, secret, { now }))).toBe('body_not_raw');
    const ts = Number(headers['webhook-timestamp']);
    const notEvent = '[1,2,3]';
    const signedNotEvent = { ...headers, 'webhook-signature': signatureHeader([secret], 'evt_1', ts, notEvent) };
    expect(reasonOf(() => verifyWebhook(signedNotEvent, notEvent, secret, { now }))).toBe('invalid_body');
  });

  it('throws a TypeError, not a refusal, when the secret is missing (a misconfiguration, not a forgery)', () => {
    expect(() => verifyWebhook(headers, body, '', { now })).toThrow(TypeError);
    expect(() => verifyWebhook(headers, body, [], { now })).toThrow(TypeError);
    expect(() => verifyWebhook(headers, body, [undefined as unknown as string], { now })).toThrow(TypeError);
  });
});
