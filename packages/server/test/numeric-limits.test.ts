import type { MessageResponse, MessagesPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import {
  asOpenApiDocument,
  declaresType,
  exampleOf,
  fieldsOf,
  fillPath,
  type JsonSchema,
  type Operation,
  type Probe,
  readOperations,
  sweep,
  withRawAt,
} from './helpers/openapi-sweep.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** Numbers past any column: past a double, past 64 bits, 2^64 exactly, and below any. */
const HUGE = ['1e309', '999999999999999999999999', '18446744073709551616', '-1e309'];
/** Sequence numbers past PostgreSQL's `integer` and past a double's exact integers. */
const PAST_SEQ = [...HUGE, '2147483648', '9007199254740993'];
/** The largest message sequence a store holds (PostgreSQL `integer`). */
const MAX_SEQ = 2_147_483_647;

const isNumeric = (schema: JsonSchema) => declaresType(schema, 'integer') || declaresType(schema, 'number');

/** A numeric schema's own bound, looking inside a union (`integer | null`). */
function maximumOf(schema: JsonSchema): number | undefined {
  const members = schema.anyOf ?? schema.oneOf;
  if (!members) return schema.maximum;
  const bounds = members.filter(isNumeric).map(maximumOf);
  return bounds.some((b) => b === undefined) ? undefined : Math.max(...(bounds as number[]));
}

describe.each(storeKinds)('numeric parameters on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let token: string;
  let messageId: string;
  let operations: Operation[];

  const target = (op: Operation) =>
    fillPath(op.path, (_param, resource) => ({ channels: 'numbers', messages: messageId, users: 'num-bob', members: 'num-bob' })[resource] ?? 'some-id');
  const headersFor = (op: Operation): Record<string, string> =>
    op.credentials[0] === 'bearer' ? { authorization: `Bearer ${token}` } : op.credentials[0] === 'apiKey' ? { 'x-api-key': apiKey } : {};

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Numbers'));
    ({ token } = await issueTokens(t.baseUrl, apiKey, { userId: 'num-alice' }));
    await issueTokens(t.baseUrl, apiKey, { userId: 'num-bob' });
    expect((await call(t.baseUrl, '/api/channels', { token, body: { type: 'messaging', id: 'numbers', members: ['num-bob'] } })).status).toBe(201);
    const sent = await call<MessageResponse>(t.baseUrl, '/api/channels/numbers/messages', { token, body: { text: 'one' } });
    messageId = sent.body.message.id;
    await call(t.baseUrl, '/api/channels/numbers/messages', { token, body: { text: 'reply', parentId: messageId } });
    operations = readOperations(asOpenApiDocument((await call(t.baseUrl, '/api/openapi.json')).body));
  });
  afterAll(() => t?.close());

  it('declares a maximum for every numeric query parameter and body field of every route', () => {
    const unbounded: string[] = [];
    for (const op of operations) {
      for (const param of op.query) if (isNumeric(param.schema) && maximumOf(param.schema) === undefined) unbounded.push(`${op.method} ${op.path} ?${param.name}`);
      if (!op.body) continue;
      // Optional fields too: an example with every optional object and array filled in, one level at a time.
      for (const { at, schema } of fieldsOf(op.body, fullExample(op.body))) {
        if (isNumeric(schema) && maximumOf(schema) === undefined) unbounded.push(`${op.method} ${op.path} body.${at.join('.')}`);
      }
    }
    expect(operations.length).toBeGreaterThan(30);
    expect(unbounded).toEqual([]);
  });

  it('answers huge paging numbers 400 validation_failed, on channel history and thread replies', async () => {
    for (const path of ['/api/channels/numbers/messages', `/api/messages/${messageId}/replies`]) {
      for (const anchor of ['before', 'after', 'around']) {
        for (const value of PAST_SEQ) expectError(await call(t.baseUrl, `${path}?${anchor}=${value}`, { token }), 'validation_failed', 400);
        // The bound itself is a position every store can compare with.
        const atMax = await call<MessagesPage>(t.baseUrl, `${path}?${anchor}=${MAX_SEQ}`, { token });
        expect(atMax.status, JSON.stringify(atMax.body)).toBe(200);
      }
    }
  });

  it('answers every numeric query parameter and body field past its range 400 validation_failed', async () => {
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.credentials.length > 0)) {
      const headers = headersFor(op);
      for (const param of op.query.filter((q) => isNumeric(q.schema))) {
        for (const value of pastRange(param.schema)) {
          probes.push({ what: `?${param.name}=${value}`, method: op.method, path: `${target(op)}?${param.name}=${value}`, headers, codes: ['validation_failed'] });
        }
      }
      if (!op.body) continue;
      const base = fullExample(op.body);
      for (const { at, schema } of fieldsOf(op.body, base).filter((f) => isNumeric(f.schema))) {
        for (const value of pastRange(schema)) {
          probes.push({
            what: `body.${at.join('.')} = ${value}`,
            method: op.method,
            path: target(op),
            headers: { ...headers, 'content-type': 'application/json' },
            body: withRawAt(base, at, value),
            codes: ['validation_failed'],
          });
        }
      }
    }
    expect(probes.length).toBeGreaterThan(40);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });
});

/** Numbers a field must refuse: one past its own maximum (written exactly), and the huge ones. */
function pastRange(schema: JsonSchema): string[] {
  const max = maximumOf(schema);
  return max === undefined ? HUGE : [(BigInt(max) + 1n).toString(), ...HUGE];
}

/** A valid example with every optional object and array field present, so nested numbers are reached. */
function fullExample(schema: JsonSchema): unknown {
  const value = exampleOf(schema);
  if (!schema.properties || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const filled: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (key in filled) continue;
    if (declaresType(prop, 'array') && prop.items) filled[key] = [fullExample(prop.items)];
    else if (prop.properties) filled[key] = fullExample(prop);
  }
  return filled;
}
