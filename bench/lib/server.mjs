import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The built CLI: the server runs exactly as an operator runs it. */
export const CLI = join(ROOT, 'packages/server/dist/cli.js');
const execFileAsync = promisify(execFile);

/**
 * A fresh, empty store for one run, described by the environment the server,
 * the CLI and the seeding all read (DATABASE_URL or CHATSDK_DATA_DIR).
 * @typedef {object} FreshStore
 * @property {'sqlite' | 'postgres'} kind
 * @property {Record<string, string>} env
 * @property {string} dir  where logs (and, for SQLite, the database) go
 * @property {() => Promise<void>} dispose  drops the database or deletes the files
 */

/**
 * @param {'sqlite' | 'postgres'} kind
 * @param {{ runId: string, dataRoot: string, postgresUrl: string, keep: boolean }} options
 * @returns {Promise<FreshStore>}
 */
export async function freshStore(kind, { runId, dataRoot, postgresUrl, keep }) {
  const dir = join(dataRoot, `${runId}-${kind}`);
  mkdirSync(dir, { recursive: true });
  const removeDir = async () => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  if (kind === 'sqlite') return { kind, env: { CHATSDK_DATA_DIR: dir, DATABASE_URL: '' }, dir, dispose: removeDir };

  const name = `chatsdk_bench_${runId.replace(/\W/g, '_')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString() },
    dir,
    async dispose() {
      await removeDir();
      if (keep) return;
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A running server process.
 * @typedef {object} RunningServer
 * @property {string} url
 * @property {number} pid
 * @property {string | undefined} inspectorUrl  the V8 inspector's ws:// address, when started with `inspect`
 * @property {() => Promise<void>} stop
 */

/**
 * Starts `chatsdk start` on a free port of 127.0.0.1 and waits for it to listen.
 * Its output goes to `<dir>/<name>.log` (`server.log`; a cluster's second server
 * has its own), so a slow reader never stalls it.
 * With `profile`, the server runs under `node --cpu-prof` and writes its profile into `dir` on exit.
 * With `inspect`, it opens the V8 inspector on a free port of 127.0.0.1 (see inspector.mjs).
 * @param {Record<string, string>} env
 * @param {{ dir: string, logLevel: string, profile?: boolean, inspect?: boolean, name?: string }} options
 * @returns {Promise<RunningServer>}
 */
export async function startServer(env, { dir, logLevel, profile = false, inspect = false, name = 'server' }) {
  const logFile = join(dir, `${name}.log`);
  const log = createWriteStream(logFile);
  const nodeArgs = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', join(dir, 'profile')] : []), ...(inspect ? ['--inspect=127.0.0.1:0'] : [])];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'start'], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log);
  // Node prints the inspector's address on stderr before the server listens.
  /** @type {string | undefined} */
  let inspectorUrl;
  let stderrSeen = '';
  const findInspector = (/** @type {Buffer} */ chunk) => {
    stderrSeen += chunk;
    inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(stderrSeen)?.[1];
    if (inspectorUrl || stderrSeen.length > 65536) child.stderr.off('data', findInspector);
  };
  if (inspect) child.stderr.on('data', findInspector);
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error('the server did not start listening within 30 s')), 30_000);
    const fail = (/** @type {Error} */ error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- ${logFile} ---\n${seen}${safeRead(logFile)}`));
    };
    child.once('exit', (code) => fail(new Error(`the server exited with code ${code} before listening`)));
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      log.write(seen);
      child.stdout.removeAllListeners('data');
      child.stdout.pipe(log);
      resolve(match[1]);
    });
  });
  const pid = /** @type {number} */ (child.pid);
  if (inspect && !inspectorUrl) {
    child.kill('SIGKILL');
    throw new Error(`the server started without its inspector\n--- ${logFile} ---\n${safeRead(logFile)}`);
  }
  return {
    url: /** @type {string} */ (url),
    pid,
    inspectorUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

/** @param {string} file */
function safeRead(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Creates an app with the CLI, against the store `env` names.
 * @param {Record<string, string>} env
 * @param {string} name
 * @returns {Promise<{ id: string, name: string, apiKey: string }>}
 */
export async function createApp(env, name) {
  const { stdout } = await execFileAsync(process.execPath, [CLI, 'apps', 'create', name, '--json'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
  });
  return JSON.parse(stdout);
}

/**
 * The PostgreSQL processes that work for a database: its backends and the
 * server's background processes (WAL writer, checkpointer…), not other
 * databases' backends.
 * @param {string} databaseUrl
 * @returns {Promise<number[]>}
 */
export async function postgresPids(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select pid from pg_stat_activity where (datname = current_database() and pid <> pg_backend_pid()) or backend_type <> 'client backend'`,
    );
    return rows.map((r) => Number(r.pid));
  } finally {
    await client.end();
  }
}
