import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChatClient } from '../src/index.js';
import { CliRunner, parseJsonOutput, type StartedCli } from '../../server/test/helpers/cli.js';
import { issueTokens } from '../../server/test/helpers/http.js';
import { TaskPerMessageWebSocket } from '../../server/test/helpers/realtime.js';
import { network, snapshotWhere } from './helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'chatsdk-core-process-'));
const cli = new CliRunner(() => ({ ...process.env, CHATSDK_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' }));
let server: StartedCli;
let apiKey: string;

beforeAll(async () => {
  // The server as its users run it: the built CLI in a process of its own.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server'], { cwd: root, stdio: 'pipe' });
  const created = await cli.run(['apps', 'create', 'Core', '--json']);
  apiKey = parseJsonOutput<{ apiKey: string }>(created.stdout).apiKey;
  server = await cli.start();
}, 120_000);

afterAll(async () => {
  await cli.killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

it('chats through `chatsdk start` in a separate process, across a cut socket', async () => {
  const net = network();
  const make = async (userId: string, extra: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) => {
    const { token, wsToken } = await issueTokens(server.baseUrl, apiKey, { userId });
    return new ChatClient({ apiUrl: server.baseUrl, token, wsToken, WebSocket: net.WebSocket, ...extra });
  };
  const ann = await make('ann');
  const bob = await make('bob', { WebSocket: TaskPerMessageWebSocket });
  await Promise.all([ann.connect(), bob.connect()]);
  const dm = await ann.channels.dm('bob');
  await Promise.all([dm.watch(), bob.channel(dm.id).watch()]);
  for (let i = 0; i < 20; i++) {
    await bob.channel(dm.id).sendMessage(`from bob ${i}`);
    if (i === 10) net.cut();
  }
  await dm.sendMessage('from ann');
  const seen = await snapshotWhere(dm.messages, (s) => s.messages.length === 21 && s.messages.every((m) => m.status === 'sent'));
  expect(seen.messages.map((m) => m.text)).toEqual([...Array.from({ length: 20 }, (_, i) => `from bob ${i}`), 'from ann']);
  await snapshotWhere(bob.channel(dm.id).messages, (s) => s.messages.at(-1)?.text === 'from ann');
  await Promise.all([ann.disconnect(), bob.disconnect()]);
});
