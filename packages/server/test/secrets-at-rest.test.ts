import { randomBytes } from 'node:crypto';
import type { UserResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hs256Key } from '../src/domain/auth/hs256.js';
import { SecretBox } from '../src/store/secret-box.js';
import { assertCliBuilt, CliRunner, parseJsonOutput } from './helpers/cli.js';
import { call, issueTokens } from './helpers/http.js';
import { createTestStorage, storeKinds, type TestStorage } from './helpers/stores.js';

const LONG = 90_000;

describe('the secret box', () => {
  const box = SecretBox.fromKey(randomBytes(32).toString('base64'));

  it('seals to a value that holds no trace of the secret and opens only for its owner and key', () => {
    const sealed = box.seal('the signing secret', 'apps.jwt_secret:app_1');
    expect(sealed).toMatch(/^sealed:v1:[\w-]+$/);
    expect(sealed).not.toContain('signing');
    expect(box.seal('the signing secret', 'apps.jwt_secret:app_1')).not.toBe(sealed);
    expect(box.open(sealed, 'apps.jwt_secret:app_1')).toBe('the signing secret');
    // Copied to another app's row, it does not open there.
    expect(() => box.open(sealed, 'apps.jwt_secret:app_2')).toThrow(/does not open/);
    expect(() => SecretBox.fromKey(randomBytes(32).toString('hex')).open(sealed, 'apps.jwt_secret:app_1')).toThrow(/does not open/);
    expect(() => SecretBox.plain().open(sealed, 'apps.jwt_secret:app_1')).toThrow(/not set/);
    const tampered = `${sealed.slice(0, -3)}${sealed.at(-3) === 'A' ? 'B' : 'A'}${sealed.slice(-2)}`;
    expect(() => SecretBox.fromKey(randomBytes(32).toString('hex')).open(tampered, 'apps.jwt_secret:app_1')).toThrow();
    // A value stored before any key was set reads as it is.
    expect(box.open('plain secret', 'apps.jwt_secret:app_1')).toBe('plain secret');
  });

  it('takes a 32-byte key in hex or base64, and nothing else', () => {
    expect(SecretBox.fromKey(randomBytes(32).toString('hex')).sealing).toBe(true);
    expect(SecretBox.fromKey(randomBytes(32).toString('base64url')).sealing).toBe(true);
    for (const bad of ['', 'short', 'x'.repeat(64), randomBytes(16).toString('hex'), randomBytes(48).toString('base64')]) {
      expect(() => SecretBox.fromKey(bad), bad).toThrow(/CHATSDK_SECRET_KEY must be 32 bytes/);
    }
  });
});

describe.each(storeKinds)('apps secrets at rest with CHATSDK_SECRET_KEY on %s', (kind) => {
  let storage: TestStorage;
  const cli = new CliRunner(() => ({ ...process.env, LOG_LEVEL: 'warn', ...storage.env }));
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    assertCliBuilt();
    storage = await createTestStorage(kind);
  });
  afterAll(async () => {
    await cli.killAll();
    await storage.destroy();
  });

  const storedSecrets = async () => {
    const store = storage.open();
    try {
      return await store.db.selectFrom('apps').select(['id', 'jwt_secret']).execute();
    } finally {
      await store.close();
    }
  };

  it('seals a secret stored in plain text at the next start, keeps its tokens working, and refuses to start without the key', async () => {
    const created = parseJsonOutput<{ id: string; apiKey: string }>((await cli.run(['apps', 'create', 'Before the key', '--json'])).stdout);
    const [plain] = await storedSecrets();
    expect(plain?.jwt_secret).not.toMatch(/^sealed:/);

    const withKey = await cli.start({ CHATSDK_SECRET_KEY: key }, LONG);
    const { token } = await issueTokens(withKey.baseUrl, created.apiKey, { userId: 'alice' });
    expect((await call<UserResponse>(withKey.baseUrl, '/api/users/me', { token })).status).toBe(200);
    await withKey.stop();

    const [sealed] = await storedSecrets();
    expect(sealed?.jwt_secret).toMatch(/^sealed:v1:/);
    expect(sealed?.jwt_secret).not.toContain(plain?.jwt_secret ?? '-');
    // What the database holds signs nothing: the token verifies under the plain secret only.
    expect(new Hs256Key(sealed?.jwt_secret ?? '').verify(token)).toBeUndefined();
    expect(new Hs256Key(plain?.jwt_secret ?? '').verify(token)).toBeDefined();

    const withoutKey = await cli.run(['start'], { PORT: '0', HOST: '127.0.0.1', CHATSDK_SECRET_KEY: '' });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toMatch(/CHATSDK_SECRET_KEY is not set/);
    const wrongKey = await cli.run(['start'], { PORT: '0', HOST: '127.0.0.1', CHATSDK_SECRET_KEY: randomBytes(32).toString('base64') });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/does not open with CHATSDK_SECRET_KEY/);
    const badKey = await cli.run(['start'], { PORT: '0', HOST: '127.0.0.1', CHATSDK_SECRET_KEY: 'hunter2' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/must be 32 bytes/);

    const again = await cli.start({ CHATSDK_SECRET_KEY: key }, LONG);
    expect((await call<UserResponse>(again.baseUrl, '/api/users/me', { token })).status).toBe(200);
    await again.stop();
  }, LONG * 2);

  it('seals the secret of an app created while the key is set', async () => {
    const created = parseJsonOutput<{ id: string; apiKey: string }>(
      (await cli.run(['apps', 'create', 'With the key', '--json'], { CHATSDK_SECRET_KEY: key })).stdout,
    );
    const row = (await storedSecrets()).find((r) => r.id === created.id);
    expect(row?.jwt_secret).toMatch(/^sealed:v1:/);
    const server = await cli.start({ CHATSDK_SECRET_KEY: key }, LONG);
    const { token } = await issueTokens(server.baseUrl, created.apiKey, { userId: 'bob' });
    expect((await call<UserResponse>(server.baseUrl, '/api/users/me', { token })).body.user.id).toBe('bob');
    await server.stop();
  }, LONG);
});
