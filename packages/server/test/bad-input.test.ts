import { type CreateTokenResponse, type ErrorCode, LIMITS, type MessageResponse, type NewApiKey, type UsersPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import {
  acceptsType,
  asOpenApiDocument,
  closedObjectsOf,
  type CredentialKind,
  declaresType,
  exampleOf,
  fieldsOf,
  fillPath,
  type JsonSchema,
  matchesTemplate,
  type Operation,
  outOfBoundsFor,
  type Probe,
  readOperations,
  setAt,
  sweep,
  withRawAt,
  wrongTypeFor,
} from './helpers/openapi-sweep.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** Paths the document hides on purpose, swept like the listed path they copy. */
const HIDDEN_ALIASES: Record<string, string[]> = { '/api/tokens': ['/tokens'] };
/** Path parameter values no route may choke on: NUL, past the router's 512, traversal raw and encoded, broken escapes. */
const JUNK_IDS = ['%00', 'x'.repeat(600), '../..', '..%2F..', '%', '%E0%A4%A'];
const UNKNOWN_FIELD = 'sweepUnknownField';
const SWEEP_CHANNEL = 'sweep-room';
const SWEEP_BLOCKLIST = 'sweep-list';
/** Deep enough to overflow any recursive walk over a parsed body, small enough to stay far under the body limit. */
const DEPTH = 50_000;
const DEEP_ARRAY = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;

const INVALID_JSON: ErrorCode[] = ['invalid_json'];
const VALIDATION: ErrorCode[] = ['validation_failed'];
const TOO_LARGE: ErrorCode[] = ['payload_too_large'];
/** A prototype-poisoning body is refused when parsed (invalid_json) or when validated. */
const POISONED: ErrorCode[] = ['invalid_json', 'validation_failed'];
/** Fastify parses text/plain into a string, which the body schema then refuses; either answer is right. */
const NOT_JSON: ErrorCode[] = ['unsupported_media_type', 'validation_failed'];

/** A body to send, before the sweep adds the method, path and credentials. */
type BodyProbe = Omit<Probe, 'method' | 'path' | 'headers'> & { contentType?: string };

/** A valid body padded with whitespace to one byte over the limit: refused for its size alone. */
function oversized(base: unknown): string {
  const json = JSON.stringify(base);
  return json + ' '.repeat(LIMITS.bodyBytes + 1 - json.length);
}

/** Bodies no operation that takes `schema` may accept, each a valid example changed in one way. */
function invalidBodies(schema: JsonSchema): BodyProbe[] {
  const base = exampleOf(schema);
  const fields = fieldsOf(schema, base);
  const withBase = JSON.stringify(base).replace(/^\{/, '');
  return [
    { what: 'truncated JSON', body: '{"a":', codes: INVALID_JSON },
    { what: 'trailing comma', body: `${JSON.stringify(base).replace(/\}$/, '')},}`, codes: INVALID_JSON },
    { what: 'single-quoted JSON', body: "{'a':1}", codes: INVALID_JSON },
    { what: 'empty JSON body', body: '', codes: INVALID_JSON },
    ...['[]', '"str"', '42', 'null', 'true'].map((body) => ({ what: `JSON ${body} as the body`, body, codes: VALIDATION })),
    ...fields.flatMap(({ at, schema: field }) => {
      const wrong = wrongTypeFor(field);
      return wrong === undefined ? [] : [{ what: `${at.join('.')} as ${JSON.stringify(wrong)}`, body: JSON.stringify(setAt(base, at, wrong)), codes: VALIDATION }];
    }),
    ...fields.flatMap(({ at, schema: field }) =>
      outOfBoundsFor(field).map(({ what, raw }) => ({ what: `${at.join('.')} ${what}`, body: withRawAt(base, at, raw), codes: VALIDATION })),
    ),
    ...closedObjectsOf(schema, base).map((at) => ({
      what: `unknown field in ${at.join('.') || 'the body'}`,
      body: JSON.stringify(setAt(base, [...at, UNKNOWN_FIELD], 1)),
      codes: VALIDATION,
    })),
    { what: 'body one byte over 1 MiB', body: oversized(base), codes: TOO_LARGE },
    { what: 'chunked body over 1 MiB', body: oversized(base), codes: TOO_LARGE, chunked: true },
    { what: 'text/plain body', body: JSON.stringify(base), codes: NOT_JSON, contentType: 'text/plain' },
    { what: 'form-encoded body', body: 'a=1', codes: ['unsupported_media_type'], contentType: 'application/x-www-form-urlencoded' },
    { what: `array nested ${DEPTH} deep`, body: DEEP_ARRAY, codes: [...VALIDATION, ...INVALID_JSON] },
    ...fields
      .filter(({ schema: field }) => acceptsType(field, 'object'))
      .map(({ at }) => ({ what: `${at.join('.')} nested ${DEPTH} deep`, body: withRawAt(base, at, DEEP_OBJECT), codes: VALIDATION })),
    { what: '__proto__ body', body: '{"__proto__":{"x":1}}', codes: POISONED },
    { what: '__proto__ beside valid fields', body: `{"__proto__":{"x":1}${withBase === '}' ? '}' : `,${withBase}`}`, codes: POISONED },
    { what: 'constructor.prototype body', body: '{"constructor":{"prototype":{"x":1}}}', codes: POISONED },
  ];
}

/** Bodies refused before any handler runs, whatever the route: for routes that take no body. */
function unparseableBodies(): BodyProbe[] {
  return [
    { what: 'truncated JSON', body: '{"a":', codes: INVALID_JSON },
    { what: 'body one byte over 1 MiB', body: oversized({}), codes: TOO_LARGE },
    { what: '__proto__ body', body: '{"__proto__":{"x":1}}', codes: INVALID_JSON },
    { what: 'form-encoded body', body: 'a=1', codes: ['unsupported_media_type'], contentType: 'application/x-www-form-urlencoded' },
  ];
}

const NUL = 'sweep\u0000nul';

/** Bodies with a NUL character in one string: PostgreSQL cannot store one, so every store must refuse it alike. */
function nulBodies(schema: JsonSchema): BodyProbe[] {
  const base = exampleOf(schema);
  return fieldsOf(schema, base).flatMap(({ at, schema: field }) => {
    const where = at.join('.');
    const bodies: BodyProbe[] = [];
    if (declaresType(field, 'string')) bodies.push({ what: `NUL in ${where}`, body: JSON.stringify(setAt(base, at, NUL)) });
    if (declaresType(field, 'object') && !field.properties) {
      bodies.push({ what: `NUL in a value of ${where}`, body: JSON.stringify(setAt(base, at, { sweep: NUL })) });
      bodies.push({ what: `NUL in a key of ${where}`, body: JSON.stringify(setAt(base, at, { [NUL]: 1 })) });
    }
    return bodies;
  });
}

/**
 * Query strings the document cannot describe, found by reading the routes:
 * malformed `custom.<key>` filters, and a cursor that decodes to a NUL (base64url `AA`).
 */
const UNDOCUMENTED_QUERY_TRAPS: Array<{ method: string; path: string; query: string }> = [
  { method: 'GET', path: '/api/users', query: 'cursor=AA' },
  { method: 'GET', path: '/api/users', query: 'custom.=1' },
  { method: 'GET', path: '/api/users', query: `custom.${'k'.repeat(65)}=1` },
];

/** Query strings a parameter with this schema must refuse. */
function invalidQueryValues(name: string, schema: JsonSchema): string[] {
  const type = [schema.type].flat()[0];
  const values: string[] = [];
  if (type === 'integer' || type === 'number') {
    values.push(`${name}=abc`, `${name}=1&${name}=2`);
    if (type === 'integer') values.push(`${name}=1.5`);
    if (schema.minimum !== undefined) values.push(`${name}=${schema.minimum - 1}`);
    if (schema.maximum !== undefined) values.push(`${name}=${schema.maximum + 1}`);
  } else if (type === 'boolean') {
    values.push(`${name}=maybe`, `${name}=2`);
  } else if (type === 'string') {
    if (schema.maxLength !== undefined) values.push(`${name}=${'x'.repeat(schema.maxLength + 1)}`);
    if ((schema.minLength ?? 0) > 0) values.push(`${name}=`);
  }
  return values;
}

/** Who a probe calls as, and the headers that say so. */
interface Caller {
  as: string;
  headers: Record<string, string>;
}

describe.each(storeKinds)('bad input on %s, driven by /api/openapi.json', (kind) => {
  let t: TestServer;
  let apiKey: string;
  /** The user whose token the sweep calls user routes with. */
  let alice: CreateTokenResponse;
  /** The user path parameters name, so a wrongly accepted DELETE does not cut the sweep's own token. */
  let bob: CreateTokenResponse;
  /** The API key path parameters name, for the same reason. */
  let spareKey: NewApiKey;
  let sweepMessageId: string;
  let sweepWebhookId: string;
  let operations: Operation[];
  let stateBefore: Record<string, { status: number; body: unknown }>;

  const credentials = (credential: CredentialKind): Record<string, string> =>
    credential === 'apiKey' ? { 'x-api-key': apiKey } : { authorization: `Bearer ${alice.token}` };

  /** Each way to call `op` with valid credentials: both where both are allowed, none for a public operation. */
  const callers = (op: Operation): Caller[] =>
    op.credentials.length === 0 ? [{ as: 'public', headers: {} }] : op.credentials.map((c) => ({ as: c, headers: credentials(c) }));

  /** The path with every parameter naming something that exists (or a plausible id where the sweep made nothing). */
  const target = (op: Operation | string): string =>
    fillPath(typeof op === 'string' ? op : op.path, (_param, resource) =>
      encodeURIComponent(
        {
          users: bob.user.id,
          members: bob.user.id,
          keys: spareKey.key.id,
          channels: SWEEP_CHANNEL,
          messages: sweepMessageId,
          reactions: 'like',
          webhooks: sweepWebhookId,
          blocklists: SWEEP_BLOCKLIST,
        }[resource] ?? 'sweep-plausible-id',
      ),
    );

  /** A probe that is valid in all but `change`: right credentials, existing ids, a valid body where one is taken. */
  const validBut = (op: Operation, caller: Caller, what: string, change: Partial<Probe>): Probe => ({
    what: `${what} as ${caller.as}`,
    method: op.method,
    path: target(op),
    headers: op.body ? { ...caller.headers, 'content-type': 'application/json' } : caller.headers,
    ...(op.body ? { body: JSON.stringify(exampleOf(op.body)) } : {}),
    ...change,
  });

  /** Everything a caller can read, by every caller: compared before and after the sweep. */
  async function readState(): Promise<Record<string, { status: number; body: unknown }>> {
    const state: Record<string, { status: number; body: unknown }> = {};
    const readers = [
      { as: 'apiKey', kind: 'apiKey', headers: { 'x-api-key': apiKey } },
      { as: 'alice', kind: 'bearer', headers: { authorization: `Bearer ${alice.token}` } },
      { as: 'bob', kind: 'bearer', headers: { authorization: `Bearer ${bob.token}` } },
    ] as const;
    for (const op of operations.filter((o) => o.method === 'GET' && o.credentials.length > 0)) {
      for (const reader of readers.filter((r) => op.credentials.includes(r.kind))) {
        // A required query parameter names what the sweep made (the only one today: presence's user ids).
        const required = op.query.filter((q) => q.required).map((q) => `${q.name}=${encodeURIComponent(bob.user.id)}`);
        const reply = await call(t.baseUrl, required.length > 0 ? `${target(op)}?${required.join('&')}` : target(op), { headers: reader.headers });
        // A refusal (a plain user at a moderators' route) is compared without its request id, which is new every time.
        const body = reply.status === 403 ? { code: (reply.body as { error: { code: string } }).error.code } : reply.body;
        state[`GET ${op.path} as ${reader.as}`] = { status: reply.status, body };
      }
    }
    return state;
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Sweep'));
    alice = await issueTokens(t.baseUrl, apiKey, { userId: 'sweep-alice', name: 'Alice', custom: { team: 'red' } });
    bob = await issueTokens(t.baseUrl, apiKey, { userId: 'sweep-bob', name: 'Bob' });
    const created = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    expect(created.status).toBe(201);
    spareKey = created.body;
    // A channel and a message for the routes that name them: alice owns the channel, bob is a member.
    const channel = await call(t.baseUrl, '/api/channels', { token: alice.token, body: { type: 'messaging', id: SWEEP_CHANNEL, members: [bob.user.id] } });
    expect(channel.status).toBe(201);
    const message = await call<MessageResponse>(t.baseUrl, `/api/channels/${SWEEP_CHANNEL}/messages`, { token: alice.token, body: { text: 'sweep' } });
    expect(message.status).toBe(201);
    sweepMessageId = message.body.message.id;
    // A webhook for the routes that name one, made after the message so its delivery log stays empty (and still) through the sweep.
    const webhook = await call<{ webhook: { id: string } }>(t.baseUrl, '/api/app/webhooks', { apiKey, body: { url: 'https://93.184.216.34/sweep' } });
    expect(webhook.status).toBe(201);
    sweepWebhookId = webhook.body.webhook.id;
    // A blocklist for the routes that name one; no channel applies it, so the sweep's sends are not screened by it.
    const blocklist = await call(t.baseUrl, '/api/moderation/blocklists', { apiKey, body: { name: SWEEP_BLOCKLIST, words: ['sweepword'], mode: 'block' } });
    expect(blocklist.status).toBe(201);
    const doc = await call(t.baseUrl, '/api/openapi.json');
    expect(doc.status).toBe(200);
    operations = readOperations(asOpenApiDocument(doc.body), HIDDEN_ALIASES);
    stateBefore = await readState();
  });
  afterAll(() => t?.close());

  it('reads every operation, its security and its body schema from the document', () => {
    const names = operations.map((op) => `${op.method} ${op.path}`);
    for (const known of ['POST /api/tokens', 'POST /tokens', 'GET /api/users', 'DELETE /api/users/{id}', 'PATCH /api/users/me', 'PATCH /api/app']) {
      expect(names).toContain(known);
    }
    for (const op of operations.filter((o) => o.method === 'PATCH' || o.path.endsWith('/tokens'))) expect(op.body, op.path).toBeDefined();
    for (const op of operations.filter((o) => o.path.startsWith('/api/'))) expect(op.credentials.length, op.path).toBeGreaterThan(0);
    // Every read answers, except the moderators' routes to plain users (alice and bob), which refuse them.
    const answered = ([key, read]: [string, { status: number }]) =>
      read.status === 200 || (read.status === 403 && key.startsWith('GET /api/moderation/') && !key.endsWith(' as apiKey'));
    expect(Object.entries(stateBefore).every(answered), JSON.stringify(stateBefore)).toBe(true);
    expect(Object.keys(stateBefore)).toContain('GET /api/moderation/blocklists/{name} as apiKey');
  });

  // Hundreds of probes, more with every route that takes a body: the limit catches a hang, not a busy machine.
  it('answers every malformed, mistyped, unknown, oversized, deep or poisoned body with a 4xx in the error shape', { timeout: 90_000 }, async () => {
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      const bodies = op.body ? invalidBodies(op.body) : unparseableBodies();
      for (const caller of callers(op)) {
        for (const { contentType, what, ...body } of bodies) {
          const headers = { ...caller.headers, 'content-type': contentType ?? 'application/json' };
          probes.push(validBut(op, caller, what, { ...body, headers }));
        }
      }
    }
    expect(probes.length).toBeGreaterThan(100);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('answers unknown and mistyped query parameters with validation_failed', async () => {
    const probes: Probe[] = [];
    for (const op of operations) {
      const queries = [
        // Unknown fields are refused everywhere, not only where a route happens to declare a query.
        `${UNKNOWN_FIELD}=1`,
        ...(op.method === 'GET' ? ['limit=abc', 'limit=-1', 'limit=100000'] : []),
        ...op.query.flatMap((param) => invalidQueryValues(param.name, param.schema)),
      ];
      for (const caller of callers(op)) {
        for (const query of new Set(queries)) {
          probes.push(validBut(op, caller, `query ${query.slice(0, 40)}`, { path: `${target(op)}?${query}`, codes: VALIDATION }));
        }
      }
    }
    for (const trap of UNDOCUMENTED_QUERY_TRAPS) {
      const op = operations.find((o) => o.method === trap.method && o.path === trap.path);
      expect(op, `${trap.method} ${trap.path}`).toBeDefined();
      if (!op) continue;
      for (const caller of callers(op)) {
        probes.push(validBut(op, caller, `query ${trap.query.slice(0, 40)}`, { path: `${target(op)}?${trap.query}`, codes: VALIDATION }));
      }
    }
    expect(probes.length).toBeGreaterThan(50);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('refuses a NUL character in any string, body or query, on every store alike (PostgreSQL cannot store one)', async () => {
    const probes: Probe[] = [];
    for (const op of operations) {
      for (const caller of callers(op)) {
        for (const { what, body } of op.body ? nulBodies(op.body) : []) probes.push(validBut(op, caller, what, { body, codes: VALIDATION }));
        for (const param of op.query.filter((q) => declaresType(q.schema, 'string'))) {
          probes.push(validBut(op, caller, `NUL in query ${param.name}`, { path: `${target(op)}?${param.name}=sweep%00nul`, codes: VALIDATION }));
        }
      }
    }
    expect(probes.length).toBeGreaterThan(10);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('answers junk path parameters with a 4xx in the error shape', async () => {
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      for (const caller of callers(op)) {
        for (const junk of JUNK_IDS) probes.push(validBut(op, caller, `id ${junk.slice(0, 12)}`, { path: fillPath(op.path, () => junk) }));
      }
    }
    expect(probes.length).toBeGreaterThan(20);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('answers 401 in the error shape to every operation called without or with bad credentials', async () => {
    const unknownKey = `chatsdk_${'A'.repeat(43)}`;
    const wrong: Array<Caller & { code: ErrorCode }> = [
      { as: 'no credentials', headers: {}, code: 'unauthorized' },
      { as: 'a malformed API key', headers: { 'x-api-key': 'chatsdk_wrong' }, code: 'invalid_api_key' },
      { as: 'an unknown API key', headers: { 'x-api-key': unknownKey }, code: 'invalid_api_key' },
      { as: 'a malformed bearer token', headers: { authorization: 'Bearer not-a-jwt' }, code: 'invalid_token' },
      { as: 'a Basic authorization', headers: { authorization: `Basic ${alice.token}` }, code: 'invalid_token' },
      { as: 'a wsToken', headers: { authorization: `Bearer ${alice.wsToken}` }, code: 'wrong_token_kind' },
    ];
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.credentials.length > 0)) {
      for (const { code, ...caller } of wrong) probes.push(validBut(op, caller, 'bad credentials', { codes: [code] }));
      // Credentials are checked before the body is read: an anonymous caller learns nothing about what it sent.
      if (op.method !== 'GET') {
        probes.push(validBut(op, { as: 'no credentials', headers: {} }, 'malformed body', { body: '{"a":', headers: { 'content-type': 'application/json' }, codes: ['unauthorized'] }));
      }
    }
    expect(probes.length).toBeGreaterThan(60);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('answers 403 in the error shape to the wrong kind of credentials', async () => {
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.credentials.length > 0)) {
      for (const credential of (['apiKey', 'bearer'] as const).filter((c) => !op.credentials.includes(c))) {
        probes.push(validBut(op, { as: credential, headers: credentials(credential) }, 'where not allowed', { codes: ['forbidden'] }));
      }
    }
    expect(probes.length).toBeGreaterThan(5);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('answers an unknown route 404 and a known path with a wrong method 404 (there is no 405), in the error shape', async () => {
    expectError(await call(t.baseUrl, '/api/sweep-no-such-route', { apiKey }), 'not_found', 404);
    expectError(await call(t.baseUrl, '/no-such-route?x=1', {}), 'not_found', 404);
    expectError(await call(t.baseUrl, `/api/users/${bob.user.id}/no-such-action`, { apiKey, method: 'POST', body: {} }), 'not_found', 404);
    const probes: Probe[] = [];
    for (const path of new Set(operations.map((op) => op.path))) {
      const concrete = target(path);
      const served = (method: string) => operations.some((op) => op.method === method && matchesTemplate(op.path, concrete));
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !served(m))) {
        probes.push({ what: 'wrong method', method, path: concrete, headers: { 'x-api-key': apiKey }, codes: ['not_found'] });
      }
    }
    expect(probes.length).toBeGreaterThan(10);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
  });

  it('is still up afterwards, and no refused request wrote anything', async () => {
    expect((await call(t.baseUrl, '/health')).status).toBe(200);
    const users = await call<UsersPage>(t.baseUrl, '/api/users?limit=100', { apiKey });
    expect(users.status).toBe(200);
    expect(users.body.users.map((u) => u.id)).toEqual(['sweep-alice', 'sweep-bob']);
    expect(await readState()).toEqual(stateBefore);
  });
});
