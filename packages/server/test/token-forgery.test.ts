import type { ErrorBody } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../src/domain/auth/apps.js';
import { Hs256Key } from '../src/domain/auth/hs256.js';
import { AUDIENCE } from '../src/domain/auth/tokens.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes written another way: the last character's unused low bits set. */
function sameBitsOtherText(part: string): string {
  const last = part.at(-1) ?? '';
  return part.slice(0, -1) + (ALPHABET[ALPHABET.indexOf(last) ^ 1] ?? '');
}

/** Every other spelling of a token that a lenient base64url decoder reads as the same token. */
function respellings(token: string): string[] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const join = (h: string, p: string, s: string) => `${h}.${p}.${s}`;
  const standard = (part: string) => part.replaceAll('-', '+').replaceAll('_', '/');
  return [
    join(header, payload, sameBitsOtherText(signature)),
    join(header, payload, `${signature}=`),
    join(header, payload, `${signature}!`),
    join(header, payload, `${signature.slice(0, 10)}\n${signature.slice(10)}`),
    join(header, payload, standard(signature)),
    join(header, `${payload}=`, signature),
    join(header, sameBitsOtherText(payload), signature),
    join(header, standard(payload), signature),
    join(`${header}=`, payload, signature),
    join(standard(header), payload, signature),
  ].filter((spelling) => spelling !== token);
}

describe('HS256 tokens are accepted in one spelling only', () => {
  const key = new Hs256Key('a secret of the app');

  it('refuses a signature, payload or header re-encoded with the same decoded bytes', () => {
    // Claims chosen so that the signature holds both base64url-only characters, and the last characters carry unused bits.
    let token = '';
    for (let n = 0; !(token.includes('-') && token.includes('_') && /[^AQgw]$/.test(token)); n++) token = key.sign({ sub: 'alice', n });
    expect(key.verify(token)).toBeDefined();
    const spellings = respellings(token);
    expect(spellings.length).toBeGreaterThanOrEqual(8);
    for (const spelling of spellings) {
      // Node's decoder reads them all as the same bytes: only the text tells them apart.
      expect(key.verify(spelling), spelling).toBeUndefined();
    }
  });
});

describe.each(storeKinds)('token claims checked on %s', (kind) => {
  let t: TestServer;
  let app: AppRecord;
  let apiKey: string;
  let key: Hs256Key;

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ app, apiKey } = await t.createApp('Claims'));
    key = new Hs256Key(app.jwtSecret);
    await issueTokens(t.baseUrl, apiKey, { userId: 'alice' });
  });
  afterAll(() => t.close());

  const now = () => Math.floor(Date.now() / 1000);
  const signed = (claims: Record<string, unknown>) =>
    key.sign({ sub: 'alice', app: app.id, aud: AUDIENCE.rest, iat: now(), exp: now() + 3600, ...claims });
  const me = (token: string) => call(t.baseUrl, '/api/users/me', { token });

  it('accepts a well-formed token, and refuses every other spelling of it', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'alice' });
    expect((await me(token)).status).toBe(200);
    // (A newline cannot travel in a header; the unit test above covers it.)
    for (const spelling of respellings(token).filter((s) => !s.includes('\n'))) expectError(await me(spelling), 'invalid_token', 401);
  });

  it('refuses a token not valid before an hour from now, or issued a day ahead, and allows a minute of clock skew', async () => {
    expectError(await me(signed({ nbf: now() + 3600 })), 'invalid_token', 401);
    expectError(await me(signed({ iat: now() + 86400 })), 'invalid_token', 401);
    expectError(await me(signed({ ims: Date.now() + 86_400_000 })), 'invalid_token', 401);
    expectError(await me(signed({ nbf: 'soon' })), 'invalid_token', 401);
    expect((await me(signed({ nbf: now() + 30, iat: now() + 30, ims: Date.now() + 30_000 }))).status).toBe(200);
    expect((await me(signed({ nbf: now() - 10 }))).status).toBe(200);
  });

  it('answers a token of an unknown app exactly as one with a bad signature: app ids are not revealed', async () => {
    const unknownApp = new Hs256Key('whatever').sign({ sub: 'alice', app: 'app_doesnotexist', aud: AUDIENCE.rest, iat: now(), exp: now() + 3600 });
    const badSignature = new Hs256Key('whatever').sign({ sub: 'alice', app: app.id, aud: AUDIENCE.rest, iat: now(), exp: now() + 3600 });
    const a = await me(unknownApp);
    const b = await me(badSignature);
    expectError(a, 'invalid_token', 401);
    expectError(b, 'invalid_token', 401);
    expect((a.body as ErrorBody).error.message).toBe((b.body as ErrorBody).error.message);
  });
});
