import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express, { type Router } from 'express';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { newSigningSecret, signedHeaders } from '../../server/src/domain/webhooks/signature.js';

/**
 * The verification code of every language in docs/backend-examples.md, run
 * as written against deliveries signed by the server's own signing code: a
 * doc that drifts from the format fails here.
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const doc = readFileSync(join(root, 'docs/backend-examples.md'), 'utf8');

/** The fenced block after `<!-- verify: LANG -->`. */
function snippet(lang: string): string {
  const match = new RegExp(`<!-- verify: ${lang} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!match?.[1]) throw new Error(`docs/backend-examples.md has no "<!-- verify: ${lang} -->" block`);
  return match[1];
}

/** One delivery to verify and what the verifier must say. */
interface Case {
  name: string;
  headers: Record<string, string>;
  body: string;
  secrets: string[];
  /** Seconds since the epoch, as the verifier's clock. */
  now: number;
  accept: boolean;
}

const secret = newSigningSecret();
const next = newSigningSecret();
// Non-ASCII text: a verifier that re-encodes the body, or compares text instead of bytes, fails on it.
const body = JSON.stringify({ type: 'message.new', timestamp: '2026-12-02T03:00:00.000Z', data: { type: 'message.new', channelId: 'général', message: { id: 'm1', text: 'héllo ✓ 👋' } } });
const nowMs = Date.now();
const now = Math.floor(nowMs / 1000);
const signed = signedHeaders([secret], 'evt_doc_1', body, nowMs);
const rotating = signedHeaders([next, secret], 'evt_doc_2', body, nowMs);
const { 'webhook-signature': _unsigned, ...unsignedHeaders } = signed;

const cases: Case[] = [
  { name: 'a delivery signed with the secret', headers: signed, body, secrets: [secret], now, accept: true },
  { name: 'a tampered body', headers: signed, body: body.replace('héllo', 'hello'), secrets: [secret], now, accept: false },
  { name: 'another secret', headers: signed, body, secrets: [newSigningSecret()], now, accept: false },
  { name: 'a timestamp 6 minutes old', headers: signed, body, secrets: [secret], now: now + 360, accept: false },
  { name: 'a timestamp 4 minutes old', headers: signed, body, secrets: [secret], now: now + 240, accept: true },
  { name: 'a timestamp 6 minutes ahead', headers: signed, body, secrets: [secret], now: now - 360, accept: false },
  { name: 'a rotation, holding the old secret', headers: rotating, body, secrets: [secret], now, accept: true },
  { name: 'a rotation, holding the new secret', headers: rotating, body, secrets: [next], now, accept: true },
  { name: 'one signature, holding both secrets', headers: signed, body, secrets: [next, secret], now, accept: true },
  { name: 'a signature that is not v1', headers: { ...signed, 'webhook-signature': (signed['webhook-signature'] ?? '').replace('v1,', 'v2,') }, body, secrets: [secret], now, accept: false },
  { name: 'no signature header', headers: unsignedHeaders, body, secrets: [secret], now, accept: false },
  { name: 'a non-numeric timestamp', headers: { ...signed, 'webhook-timestamp': `${now}.5` }, body, secrets: [secret], now, accept: false },
];

/** The cases as an interpreter reads them on stdin: the body in base64, so its bytes arrive intact. */
const input = JSON.stringify(cases.map((c) => ({ headers: c.headers, body: Buffer.from(c.body).toString('base64'), secrets: c.secrets, now: c.now })));

interface Outcome {
  ok: boolean;
  type?: string;
  error?: string;
}

function expectOutcomes(outcomes: Outcome[]): void {
  expect(outcomes).toHaveLength(cases.length);
  const seen = cases.map((c, i) => ({ case: c.name, accepted: outcomes[i]?.ok }));
  expect(seen).toEqual(cases.map((c) => ({ case: c.name, accepted: c.accept })));
  for (const [i, c] of cases.entries()) if (c.accept) expect(outcomes[i]?.type).toBe('message.new');
}

const HARNESS: Record<'python' | 'ruby' | 'php', { command: string; apt: string; file: string; harness: string }> = {
  python: {
    command: 'python3',
    apt: 'python3',
    file: 'verify.py',
    harness: `
import base64 as _b64, json as _json, sys as _sys
_out = []
for _c in _json.load(_sys.stdin):
    try:
        _event = verify_webhook(_c["headers"], _b64.b64decode(_c["body"]), _c["secrets"], now=_c["now"])
        _out.append({"ok": True, "type": _event["type"]})
    except WebhookError as _e:
        _out.append({"ok": False, "error": str(_e)})
print(_json.dumps(_out))
`,
  },
  ruby: {
    command: 'ruby',
    apt: 'ruby',
    file: 'verify.rb',
    harness: `
out = JSON.parse($stdin.read).map do |c|
  event = ChatsdkWebhook.verify(c["headers"], c["body"].unpack1("m0"), c["secrets"], now: c["now"])
  { ok: true, type: event["type"] }
rescue ChatsdkWebhook::Error => e
  { ok: false, error: e.message }
end
puts JSON.generate(out)
`,
  },
  php: {
    command: 'php',
    apt: 'php-cli',
    file: 'verify.php',
    harness: `
$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $c) {
    try {
        $event = chatsdk_verify_webhook($c['headers'], base64_decode($c['body']), $c['secrets'], 300, $c['now']);
        $out[] = ['ok' => true, 'type' => $event['type']];
    } catch (ChatsdkWebhookException $e) {
        $out[] = ['ok' => false, 'error' => $e->getMessage()];
    }
}
echo json_encode($out);
`,
  },
};

function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('docs/backend-examples.md: the verification code of each language', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatsdk-doc-snippets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [lang, run] of Object.entries(HARNESS)) {
    const present = installed(run.command);
    const title = present
      ? `${lang}: accepts what the server signs, refuses tampering, other secrets, stale or future timestamps; either secret in a rotation`
      : `${lang}: SKIPPED, \`${run.command}\` is not installed (apt-get install ${run.apt})`;
    it.skipIf(!present)(title, () => {
      const file = join(dir, run.file);
      writeFileSync(file, snippet(lang) + run.harness);
      const output = execFileSync(run.command, [file], { input, encoding: 'utf8', timeout: 15_000 });
      expectOutcomes(JSON.parse(output) as Outcome[]);
    });
  }

  it('node: the Express route of the doc, mounted in an app, answers 204 to good deliveries and 400 to the others', async () => {
    // The doc's module, as written, with its two imports pointed at this repository's express and SDK source.
    const require = createRequire(import.meta.url);
    const code = snippet('node')
      .replace("from 'express'", `from ${JSON.stringify(pathToFileURL(require.resolve('express')).href)}`)
      .replace("from '@chatsdk/node'", `from ${JSON.stringify(join(root, 'packages/node/src/index.ts'))}`);
    const file = join(dir, 'webhooks.mjs');
    writeFileSync(file, code);
    const { webhooks } = (await import(/* @vite-ignore */ file)) as { webhooks: Router };

    const app = express();
    app.use(webhooks);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as { port: number };
    const saved = process.env.CHATSDK_WEBHOOK_SECRET;
    // The route logs each event it accepts; the test counts answers, not log lines.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const outcomes: Outcome[] = [];
      for (const c of cases) {
        // The route reads the secrets from the environment, as the doc says; and the real clock, so time is moved through the headers.
        process.env.CHATSDK_WEBHOOK_SECRET = c.secrets.join(',');
        const headers = c.now === now ? c.headers : resigned(c, now - c.now);
        const response = await fetch(`http://127.0.0.1:${port}/webhooks/chatsdk`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: c.body });
        expect([204, 400]).toContain(response.status);
        outcomes.push(response.status === 204 ? { ok: true, type: 'message.new' } : { ok: false });
      }
      expectOutcomes(outcomes);
      expect(log).toHaveBeenCalledWith('chatsdk event', 'evt_doc_1', 'message.new');
    } finally {
      log.mockRestore();
      process.env.CHATSDK_WEBHOOK_SECRET = saved;
      if (saved === undefined) delete process.env.CHATSDK_WEBHOOK_SECRET;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** The case's delivery signed `shift` seconds away from now with the secret that signed it, for a verifier that reads the real clock. */
function resigned(c: Case, shift: number): Record<string, string> {
  const signers = c.headers === rotating ? [next, secret] : [secret];
  return signedHeaders(signers, c.headers['webhook-id'] ?? 'evt', c.body, nowMs + shift * 1000);
}
