import { readFileSync } from 'node:fs';
import type { ApiKey, CreateTokenResponse, HealthResponse, UserResponse } from '@chatsdk/protocol';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, CliRunner, parseJsonOutput } from './helpers/cli.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { createTestStorage, storeKinds, type TestStorage } from './helpers/stores.js';

/** `apps create --json` prints this and nothing else. */
interface CreatedApp {
  id: string;
  name: string;
  apiKey: string;
}

/** One row of `apps list --json`. */
interface ListedApp {
  id: string;
  name: string;
  tokenTtlSeconds: number;
  createdAt: string;
}

/** `keys create --json` and `keys rotate --json`. */
interface CreatedKey {
  id: string;
  hint: string;
  apiKey: string;
  previousExpiresAt?: string;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const API_KEY = /^chatsdk_[\w-]{43}$/;
const HINT = /^chatsdk_[\w-]{4}…[\w-]{4}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// Each CLI run is a fresh Node process (about a second on this 2-core machine, several under the full
// suite's load), so tests get room: the limits catch hangs, not slowness.
const SHORT = 40_000;
const LONG = 80_000;

/** The hint the CLI must show for a key: prefix, first four, last four. */
function hintOf(apiKey: string): string {
  const body = apiKey.slice('chatsdk_'.length);
  return `chatsdk_${body.slice(0, 4)}…${body.slice(-4)}`;
}

/** Milliseconds since the epoch of an ISO string the CLI printed. */
function timeOf(iso: string | null | undefined): number {
  expect(iso).toMatch(ISO);
  return Date.parse(iso ?? '');
}

describe.each(storeKinds)('chatsdk CLI on %s', (kind) => {
  let storage: TestStorage;
  const cli = new CliRunner(() => ({ ...process.env, ...storage.env }));

  beforeAll(() => assertCliBuilt());
  beforeEach(async () => {
    storage = await createTestStorage(kind);
  });
  afterEach(async () => {
    // Processes first: a running server holds the store that destroy() removes.
    await cli.killAll();
    await storage.destroy();
  });

  async function createApp(name: string, ...options: string[]): Promise<CreatedApp> {
    const result = await cli.run(['apps', 'create', name, '--json', ...options]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return parseJsonOutput<CreatedApp>(result.stdout);
  }

  async function listApps(): Promise<ListedApp[]> {
    const result = await cli.run(['apps', 'list', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return parseJsonOutput<ListedApp[]>(result.stdout);
  }

  async function listKeys(app: string): Promise<{ keys: ApiKey[]; stdout: string }> {
    const result = await cli.run(['keys', 'list', app, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return { keys: parseJsonOutput<ApiKey[]>(result.stdout), stdout: result.stdout };
  }

  describe('migrate', () => {
    it('migrates a fresh store, then says it is up to date', { timeout: SHORT }, async () => {
      const first = await cli.run(['migrate']);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(new RegExp(`^Ran 0001-foundation(, \\d{4}-[a-z-]+)* on ${kind} \\S.*\\.\\n$`));
      if (kind === 'sqlite') expect(first.stdout).toContain(storage.env.CHATSDK_DATA_DIR);

      const second = await cli.run(['migrate']);
      expect(second).toMatchObject({ code: 0, stderr: '' });
      expect(second.stdout).toMatch(new RegExp(`^${kind} \\S.* is up to date\\.\\n$`));

      // The schema is in this test's store, not in some other default one.
      const store = storage.open();
      try {
        expect(await store.db.selectFrom('apps').selectAll().execute()).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  describe('apps', () => {
    it('apps create --json prints exactly {id, name, apiKey}; apps list shows the app', { timeout: SHORT }, async () => {
      const result = await cli.run(['apps', 'create', 'Acme', '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const created = parseJsonOutput<CreatedApp>(result.stdout);
      expect(Object.keys(created).sort()).toEqual(['apiKey', 'id', 'name']);
      expect(created.name).toBe('Acme');
      expect(created.id).toMatch(/^app_[\w-]+$/);
      expect(created.apiKey).toMatch(API_KEY);

      expect(await listApps()).toEqual([{ id: created.id, name: 'Acme', tokenTtlSeconds: 86400, createdAt: expect.stringMatching(ISO) }]);

      const table = await cli.run(['apps', 'list']);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s+Acme\\s+86400s\\s+\\d{4}-`, 'm'));
      expect(table.stdout).not.toContain(created.apiKey);
    });

    it('apps create without --json prints the key once; --token-ttl sets the token lifetime', { timeout: SHORT }, async () => {
      const result = await cli.run(['apps', 'create', 'Short lived', '--token-ttl', '600']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const [, id, apiKey] = /^Created app Short lived \((app_[\w-]+)\)\.\n.*\n {2}(chatsdk_\S+)\n$/.exec(result.stdout) ?? [];
      expect(apiKey).toMatch(API_KEY);
      expect(await listApps()).toEqual([{ id, name: 'Short lived', tokenTtlSeconds: 600, createdAt: expect.stringMatching(ISO) }]);
    });
  });

  describe('keys', () => {
    let app: CreatedApp;

    beforeEach(async () => {
      app = await createApp('Acme');
    });

    it('keys create adds a key; keys list shows hints and never a key', { timeout: SHORT }, async () => {
      const result = await cli.run(['keys', 'create', 'Acme', '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const created = parseJsonOutput<CreatedKey>(result.stdout);
      expect(Object.keys(created).sort()).toEqual(['apiKey', 'hint', 'id']);
      expect(created.apiKey).toMatch(API_KEY);
      expect(created.apiKey).not.toBe(app.apiKey);
      expect(created.hint).toBe(hintOf(created.apiKey));

      // By id this time; by name below.
      const { keys, stdout } = await listKeys(app.id);
      expect(keys).toHaveLength(2);
      expect(keys[0]).toEqual({ id: created.id, hint: created.hint, createdAt: expect.stringMatching(ISO), expiresAt: null, revokedAt: null });
      expect(keys[1]).toEqual({ id: expect.stringMatching(/^key_[\w-]+$/), hint: hintOf(app.apiKey), createdAt: expect.stringMatching(ISO), expiresAt: null, revokedAt: null });
      for (const key of keys) expect(key.hint).toMatch(HINT);
      expect(stdout).not.toContain(app.apiKey);
      expect(stdout).not.toContain(created.apiKey);

      const table = await cli.run(['keys', 'list', 'Acme']);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s+${created.hint}\\s+\\S+\\s+active$`, 'm'));
      expect(table.stdout).toMatch(new RegExp(`^${keys[1]?.id}\\s+${hintOf(app.apiKey)}\\s+\\S+\\s+active$`, 'm'));
      expect(table.stdout).not.toContain(app.apiKey);
      expect(table.stdout).not.toContain(created.apiKey);
    });

    it('keys revoke revokes the key; an unknown or revoked key is refused', { timeout: SHORT }, async () => {
      const [first] = (await listKeys('Acme')).keys;
      const keyId = first?.id ?? '';
      const before = Date.now();
      const revoked = await cli.run(['keys', 'revoke', 'Acme', keyId]);
      expect(revoked).toMatchObject({ code: 0, stderr: '', stdout: `Revoked ${keyId} (${hintOf(app.apiKey)}).\n` });

      const { keys } = await listKeys('Acme');
      expect(keys).toHaveLength(1);
      expect(keys[0]?.id).toBe(keyId);
      const revokedAt = timeOf(keys[0]?.revokedAt);
      expect(revokedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(revokedAt).toBeLessThanOrEqual(Date.now());

      const unknown = await cli.run(['keys', 'revoke', 'Acme', 'key_nope']);
      expect(unknown).toEqual({ code: 1, signal: null, stdout: '', stderr: 'chatsdk: no key "key_nope" in that app\n' });

      const rotateRevoked = await cli.run(['keys', 'rotate', 'Acme', keyId]);
      expect(rotateRevoked).toEqual({ code: 1, signal: null, stdout: '', stderr: `chatsdk: no active key "${keyId}" in that app\n` });
    });

    it('keys rotate prints a new key and gives the old one an expiry', { timeout: LONG }, async () => {
      const oldId = (await listKeys('Acme')).keys[0]?.id ?? '';
      const before = Date.now();
      const result = await cli.run(['keys', 'rotate', 'Acme', oldId, '--json']);
      const after = Date.now();
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const rotated = parseJsonOutput<CreatedKey>(result.stdout);
      expect(Object.keys(rotated).sort()).toEqual(['apiKey', 'hint', 'id', 'previousExpiresAt']);
      expect(rotated.id).not.toBe(oldId);
      expect(rotated.apiKey).toMatch(API_KEY);
      expect(rotated.apiKey).not.toBe(app.apiKey);
      expect(rotated.hint).toBe(hintOf(rotated.apiKey));
      // By default the old key keeps working for a day beside its successor.
      const expiresAt = timeOf(rotated.previousExpiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 86_400_000);
      expect(expiresAt).toBeLessThanOrEqual(after + 86_400_000);

      const { keys } = await listKeys('Acme');
      expect(keys.map((k) => [k.id, k.expiresAt, k.revokedAt])).toEqual([
        [rotated.id, null, null],
        [oldId, rotated.previousExpiresAt, null],
      ]);

      // Human output, and --overlap: the new key's turn to be rotated, for a minute's overlap.
      const start = Date.now();
      const again = await cli.run(['keys', 'rotate', 'Acme', rotated.id, '--overlap', '60']);
      expect(again).toMatchObject({ code: 0, stderr: '' });
      const [, newId, newKey, until] =
        /^New key (key_[\w-]+), shown once:\n {2}(\S+)\n(?:\S+) keeps working until (\S+)\.\n$/.exec(again.stdout) ?? [];
      expect(newId).not.toBe(rotated.id);
      expect(newKey).toMatch(API_KEY);
      expect(again.stdout).toContain(`\n${rotated.id} keeps working until`);
      expect(timeOf(until)).toBeGreaterThanOrEqual(start + 60_000);
      expect(timeOf(until)).toBeLessThanOrEqual(Date.now() + 60_000);

      const table = await cli.run(['keys', 'list', 'Acme']);
      expect(table.stdout).toMatch(new RegExp(`^${newId}\\s+\\S+\\s+\\S+\\s+active$`, 'm'));
      expect(table.stdout).toMatch(new RegExp(`^${rotated.id}\\s+\\S+\\s+\\S+\\s+expires ${until}$`, 'm'));
      expect(table.stdout).toMatch(new RegExp(`^${oldId}\\s+\\S+\\s+\\S+\\s+expires ${rotated.previousExpiresAt}$`, 'm'));
    });
  });

  describe('errors', () => {
    it.each([
      { command: 'apps create', message: /^usage: chatsdk apps create NAME/ },
      { command: 'apps create X --token-ttl 10', message: /--token-ttl must be/ },
      { command: 'apps create X --token-ttl soon', message: /--token-ttl must be/ },
      { command: 'keys create', message: /name the app/ },
      { command: 'keys revoke Acme', message: /^usage: chatsdk keys revoke APP KEY_ID/ },
      { command: 'keys rotate Acme key_x --overlap soon', message: /--overlap must be/ },
      { command: 'frobnicate', message: /^unknown command "frobnicate"/ },
      { command: 'apps list --bogus', message: /--bogus/ },
      { command: 'apps create X --token-ttl', message: /--token-ttl/ },
    ])('`chatsdk $command` is a usage error: exit 2, a message on stderr, nothing on stdout', { timeout: SHORT }, async ({ command, message }) => {
      const result = await cli.run(command.split(' '));
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^chatsdk: \S/);
      expect(result.stderr.slice('chatsdk: '.length)).toMatch(message);
      expect(result.code).toBe(2);
    });

    it('an unknown app exits 1 and names it on stderr', { timeout: LONG }, async () => {
      await createApp('Acme');
      for (const args of [
        ['keys', 'list', 'Nope'],
        ['keys', 'create', 'Nope', '--json'],
        ['keys', 'rotate', 'Nope', 'key_x'],
      ]) {
        const result = await cli.run(args);
        expect(result, args.join(' ')).toEqual({ code: 1, signal: null, stdout: '', stderr: 'chatsdk: no app "Nope"\n' });
      }
    });

    it('a bad PORT stops start with exit 1 before it touches anything', { timeout: SHORT }, async () => {
      const result = await cli.run(['start'], { PORT: 'banana' });
      expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr: 'chatsdk: PORT must be a port number, not "banana"\n' });
    });

    it('--help prints the usage on stdout and exits 0', { timeout: SHORT }, async () => {
      const result = await cli.run(['--help']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: chatsdk <command>\n/);
      expect(result.stdout).toContain('keys rotate APP KEY_ID');
    });
  });

  describe('start', () => {
    it('on an empty store creates "Default" and prints its key once; a second start does not', { timeout: LONG }, async () => {
      const server = await cli.start();
      const out = server.stdout();
      expect(server.port).toBeGreaterThan(0);
      expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}`);
      expect(out).toMatch(new RegExp(`^ChatSDK ${VERSION.replaceAll('.', '\\.')} listening on http://127\\.0\\.0\\.1:${server.port} \\(store: ${kind} `, 'm'));

      const [, apiKey = ''] = /^ {2}(chatsdk_\S+)$/m.exec(out) ?? [];
      expect(apiKey).toMatch(API_KEY);
      expect(out.split('Created the app "Default"')).toHaveLength(2);
      expect(out).toContain(`curl -s -X POST ${server.baseUrl}/tokens -H 'X-API-Key: ${apiKey}'`);
      expect(out.indexOf(apiKey)).toBeLessThan(out.indexOf(' listening on '));

      const issued = await call<CreateTokenResponse>(server.baseUrl, '/tokens', { apiKey, body: { userId: 'alice' } });
      expect(issued.status, JSON.stringify(issued.body)).toBe(200);
      expect(issued.body.token).toMatch(JWT);
      expect(issued.body.wsToken).toMatch(JWT);
      expect(issued.body.expiresIn).toBe(86400);
      const me = await call<UserResponse>(server.baseUrl, '/api/users/me', { token: issued.body.token });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.user.id).toBe('alice');
      const health = await call<HealthResponse>(server.baseUrl, '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', version: VERSION, store: { kind, ok: true } });

      const apps = await listApps();
      expect(apps.map((a) => a.name)).toEqual(['Default']);

      const stopped = await server.stop('SIGTERM');
      expect(stopped.signal).toBeNull();
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).not.toContain('chatsdk:');

      const again = await cli.start();
      // The first key still works: the second server runs on the same store.
      await issueTokens(again.baseUrl, apiKey, { userId: 'alice' });
      const secondRun = await again.stop('SIGTERM');
      expect(secondRun.code).toBe(0);
      expect(secondRun.stdout).toMatch(/ listening on http:\/\/127\.0\.0\.1:\d+ /);
      expect(secondRun.stdout).not.toContain('Created the app');
      expect(secondRun.stdout).not.toMatch(/chatsdk_[\w-]{43}/);
      expect(await listApps()).toEqual([apps[0]]);
    });

    it('serves a key made by apps create, and follows keys revoke and rotate while running', { timeout: LONG }, async () => {
      const app = await createApp('Acme', '--token-ttl', '600');
      const server = await cli.start();
      // Not an empty store: no Default app, no key printed.
      expect(server.stdout()).not.toContain('Created the app');
      expect(server.stdout()).not.toMatch(/chatsdk_[\w-]{43}/);

      const issued = await issueTokens(server.baseUrl, app.apiKey, { userId: 'bob', name: 'Bob' });
      expect(issued.expiresIn).toBe(600);
      const me = await call<UserResponse>(server.baseUrl, '/api/users/me', { token: issued.token });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: 'bob', name: 'Bob' });

      const extra = parseJsonOutput<CreatedKey>((await cli.run(['keys', 'create', 'Acme', '--json'])).stdout);
      await issueTokens(server.baseUrl, extra.apiKey, { userId: 'bob' });
      expect((await cli.run(['keys', 'revoke', 'Acme', extra.id])).code).toBe(0);
      expectError(await call(server.baseUrl, '/tokens', { apiKey: extra.apiKey, body: { userId: 'bob' } }), 'invalid_api_key', 401);

      const [original] = (await listKeys('Acme')).keys.filter((k) => k.id !== extra.id);
      const rotated = await cli.run(['keys', 'rotate', 'Acme', original?.id ?? '', '--overlap', '0', '--json']);
      expect(rotated).toMatchObject({ code: 0, stderr: '' });
      const successor = parseJsonOutput<CreatedKey>(rotated.stdout);
      await issueTokens(server.baseUrl, successor.apiKey, { userId: 'bob' });
      expectError(await call(server.baseUrl, '/tokens', { apiKey: app.apiKey, body: { userId: 'bob' } }), 'invalid_api_key', 401);

      expect((await server.stop('SIGTERM')).code).toBe(0);
      expect((await listApps()).map((a) => a.name)).toEqual(['Acme']);
    });
  });
});
