import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Hs256Key } from '../src/domain/auth/hs256.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('Hs256Key', () => {
  const key = new Hs256Key('a secret of the app');

  it('verifies the example of RFC 7515 appendix A.1 (a header it did not write itself)', () => {
    const rfcKey = new Hs256Key(Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url'));
    const token =
      'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(rfcKey.verify(token)).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
    expect(key.verify(token)).toBeUndefined();
  });

  it('round-trips its own tokens, and a standard HMAC over them checks out', () => {
    const claims = { sub: 'alice', app: 'app_1', aud: 'chatsdk:rest', iat: 1, exp: 2, ims: 1000 };
    const token = key.sign(claims);
    expect(key.verify(token)).toEqual(claims);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(createHmac('sha256', 'a secret of the app').update(`${header}.${payload}`).digest('base64url')).toBe(signature);
  });

  it('refuses forged, re-signed, unsigned and malformed tokens', () => {
    const token = key.sign({ sub: 'alice' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(key.verify(`${header}.${b64({ sub: 'mallory' })}.${signature}`)).toBeUndefined();
    expect(new Hs256Key('another secret').verify(token)).toBeUndefined();
    expect(key.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)).toBeUndefined();
    // A valid HMAC under a header naming another algorithm is still refused: the algorithm is pinned.
    const hs512Header = b64({ alg: 'HS512', typ: 'JWT' });
    const resigned = createHmac('sha256', 'a secret of the app').update(`${hs512Header}.${payload}`).digest('base64url');
    expect(key.verify(`${hs512Header}.${payload}.${resigned}`)).toBeUndefined();
    for (const bad of ['', 'abc', 'a.b', `${token}.x`, `${header}..${signature}`, `${header}.${payload}.${signature.slice(0, -2)}`]) {
      expect(key.verify(bad)).toBeUndefined();
    }
    const notObject = `${header}.${b64('[1,2]')}`;
    expect(key.verify(`${notObject}.${createHmac('sha256', 'a secret of the app').update(notObject).digest('base64url')}`)).toBeUndefined();
  });
});
