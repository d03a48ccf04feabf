import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `chatsdk …` with the server's own environment (same store) and parses its `--json` output. */
async function chatsdkJson<T>(cli: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [cli, ...args, '--json'], { env: process.env });
  return JSON.parse(stdout) as T;
}

async function keyWorks(chatUrl: string, apiKey: string): Promise<boolean> {
  const response = await fetch(`${chatUrl}/api/app`, { headers: { 'X-API-Key': apiKey } });
  return response.ok;
}

/**
 * The API key the demo backend uses: `CHATSDK_API_KEY` when set; else the one
 * kept in `keyFile` while ChatSDK still takes it; else a new key of the
 * "Default" app (the first app when there is no "Default"), made with
 * `chatsdk keys create` and kept in `keyFile` (mode 600) for the next start.
 * The key `chatsdk start` printed is shown once and not kept anywhere, so the
 * demo takes a key of its own.
 */
export async function demoApiKey(cli: string, chatUrl: string, keyFile: string): Promise<string> {
  const fromEnv = process.env.CHATSDK_API_KEY;
  if (fromEnv) return fromEnv;
  const kept = await readFile(keyFile, 'utf8').then((text) => text.trim(), () => '');
  if (kept && (await keyWorks(chatUrl, kept))) return kept;

  const apps = await chatsdkJson<{ id: string; name: string }[]>(cli, ['apps', 'list']);
  const app = apps.find((a) => a.name === 'Default') ?? apps[0];
  if (!app) throw new Error('the store has no app: `chatsdk start` creates "Default" on an empty store');
  const { apiKey } = await chatsdkJson<{ apiKey: string }>(cli, ['keys', 'create', app.id]);
  await mkdir(dirname(keyFile), { recursive: true });
  await writeFile(keyFile, `${apiKey}\n`, { mode: 0o600 });
  return apiKey;
}
