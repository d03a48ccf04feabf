#!/usr/bin/env node
// `npm run bench -- <scenario> [options]`: runs one scenario against a server
// it starts itself (the built CLI, on a fresh store) or against --url, writes
// the JSON result to bench/results/, a one-line summary to stdout, and its
// rows to bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { machine } from './lib/machine.mjs';
import { summariseProfile } from './lib/profile.mjs';
import { describeRevision, keepProfile, recordAllRun, sourceRevision, updateResultsMd, writeResult } from './lib/results.mjs';
import { freshStore, startServer } from './lib/server.mjs';

/**
 * What a scenario's `run` receives.
 * @typedef {object} ScenarioContext
 * @property {string} url                  the server's base URL
 * @property {Record<string, string>} env  DATABASE_URL / CHATSDK_DATA_DIR of its store, for the CLI and bulk seeding
 * @property {'sqlite' | 'postgres'} store
 * @property {number | undefined} serverPid  for CPU readings; unknown with --url unless --server-pid
 * @property {string | undefined} inspectorUrl  the server's V8 inspector, for scenarios that export `inspectServer = true`; never with --url
 * @property {Record<string, string | boolean | undefined>} options
 * @property {(message: string) => void} log
 * @property {((name: string) => Promise<import('./lib/server.mjs').RunningServer>) | undefined} startAnotherServer
 *   another server process on the same store (and Redis), logging to `<name>.log`, stopped after the run; never with --url
 */

/** Scenarios by name. */
const SCENARIOS = {
  tokens: () => import('./scenarios/tokens.mjs'),
  send: () => import('./scenarios/send.mjs'),
  fanout: () => import('./scenarios/fanout.mjs'),
  latency: () => import('./scenarios/latency.mjs'),
  idle: () => import('./scenarios/idle.mjs'),
  history: () => import('./scenarios/history.mjs'),
  search: () => import('./scenarios/search.mjs'),
  cluster: () => import('./scenarios/cluster.mjs'),
  'send-members': () => import('./scenarios/send-members.mjs'),
  upload: () => import('./scenarios/upload.mjs'),
  webhooks: () => import('./scenarios/webhooks.mjs'),
  'send-blocklist': () => import('./scenarios/send-blocklist.mjs'),
};

/** For scenarios that export `needsRedis = true`: their servers get REDIS_URL. */
const REDIS = {
  'redis-url': {
    type: 'string',
    default: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    description: "the servers' REDIS_URL (topics and presence keys carry the run's own app id)",
  },
};

const COMMON = {
  store: { type: 'string', description: 'sqlite | postgres | both (default sqlite, or the scenario’s own)' },
  url: { type: 'string', description: 'use a running server; its store is the one DATABASE_URL / CHATSDK_DATA_DIR name' },
  'server-pid': { type: 'string', description: 'with --url: the server process, for CPU figures' },
  'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres', description: 'where to create (and drop) a bench database' },
  'data-dir': { type: 'string', default: join(new URL('.', import.meta.url).pathname, '.data'), description: 'where fresh SQLite files and server logs go' },
  'log-level': { type: 'string', default: 'warn', description: "the server's LOG_LEVEL" },
  keep: { type: 'boolean', default: false, description: 'keep the data dir and the PostgreSQL database' },
  profile: { type: 'boolean', default: false, description: 'run the server under node --cpu-prof and report its top frames' },
  help: { type: 'boolean', default: false },
};

/**
 * What `npm run bench -- all` runs, in order: each scenario on the stores
 * where it says something (`send` on both; `--store both` adds PostgreSQL to
 * the SQLite-only ones; `cluster` needs PostgreSQL), with shorter windows than
 * a scenario's own defaults so that the whole takes under 25 minutes on 2
 * cores. An option is passed only to a scenario that declares it; options
 * given to `all` override these for every scenario that declares them.
 * @type {{ name: keyof typeof SCENARIOS, stores: ('sqlite' | 'postgres')[], args: Record<string, string> }[]}
 */
const ALL = [
  { name: 'tokens', stores: ['sqlite'], args: { duration: '5', warmup: '2', 'jwt-seconds': '2' } },
  { name: 'send', stores: ['sqlite', 'postgres'], args: { duration: '5', warmup: '2' } },
  // The headline rate is the target's: 500 messages/s into 1,000 sockets is 500,000 deliveries/s; 100 and 20 show the curve.
  { name: 'fanout', stores: ['sqlite'], args: { duration: '5', warmup: '2', rate: '500,100,20' } },
  { name: 'latency', stores: ['sqlite'], args: { duration: '5', warmup: '2' } },
  { name: 'idle', stores: ['sqlite'], args: {} },
  { name: 'history', stores: ['sqlite', 'postgres'], args: { duration: '5', warmup: '2' } },
  { name: 'search', stores: ['sqlite', 'postgres'], args: { duration: '5', warmup: '2' } },
  { name: 'cluster', stores: ['postgres'], args: { duration: '5', warmup: '2' } },
  { name: 'upload', stores: ['sqlite'], args: { rounds: '3' } },
  { name: 'webhooks', stores: ['sqlite'], args: { duration: '5', warmup: '2', events: '1000' } },
];

/**
 * `npm run bench -- all [--store both] [options]`: every scenario of ALL in
 * turn, each in its own `node run.mjs <scenario>` process (one that fails does
 * not stop the others), then the run's date and revision in RESULTS.md's header.
 * @param {string[]} argv
 */
async function runAll(argv) {
  const common = /** @type {Record<string, string | boolean | undefined>} */ (
    parseArgs({ args: argv, options: /** @type {import('node:util').ParseArgsConfig['options']} */ (COMMON), strict: false }).values
  );
  if (common.help) {
    process.stdout.write(
      `all: ${ALL.map((a) => `${a.name} (${a.stores.join(', ')})`).join(', ')}; --store both adds postgres to every sqlite-only one\n` +
        `options: the common ones, and any scenario option (such as --duration 3), passed to every scenario that declares it\n`,
    );
    return;
  }
  if (common.url) throw new Error('all starts its own servers: it cannot use --url');
  const startedAt = new Date().toISOString();
  const revision = describeRevision(sourceRevision());
  const overrides = parseOverrides(argv);
  /** @type {string[]} */
  const ran = [];
  /** @type {string[]} */
  const skipped = [];
  /** @type {string[]} */
  const failed = [];
  for (const { name, stores, args } of ALL) {
    const file = join(new URL('.', import.meta.url).pathname, 'scenarios', `${name}.mjs`);
    /** @type {Record<string, unknown>} */
    let declared;
    try {
      if (!existsSync(file)) throw new Error(`no ${file} yet`);
      declared = (await SCENARIOS[name]()).options;
    } catch (error) {
      process.stderr.write(`[all] skipping ${name}: ${/** @type {Error} */ (error).message.split('\n')[0]}\n`);
      skipped.push(name);
      continue;
    }
    const onBoth = common.store === 'both' && stores.length === 1 && stores[0] === 'sqlite' ? ['sqlite', 'postgres'] : stores;
    for (const store of onBoth) {
      const options = { ...args, ...overrides };
      const passed = Object.entries(options).filter(([option]) => option in declared || option in COMMON || option === 'redis-url');
      const childArgv = [name, '--store', store, ...passed.flatMap(([option, value]) => (value === true ? [`--${option}`] : [`--${option}`, String(value)]))];
      process.stderr.write(`[all] ${new Date().toISOString().slice(11, 19)} node bench/run.mjs ${childArgv.join(' ')}\n`);
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, ...childArgv], { stdio: 'inherit' });
      const [code] = await once(child, 'exit');
      (code === 0 ? ran : failed).push(`${name} ${store}`);
      if (code !== 0) process.stderr.write(`[all] ${name} ${store} failed (exit ${code}); going on\n`);
    }
  }
  recordAllRun({ startedAt, finishedAt: new Date().toISOString(), revision, ran, skipped, failed });
  const minutes = ((Date.now() - Date.parse(startedAt)) / 60_000).toFixed(1);
  process.stdout.write(`all: ${ran.length} runs in ${minutes} min${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}${failed.length ? `; FAILED ${failed.join(', ')}` : ''}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

/**
 * The options given to `all` other than --store, as option → value (true for a flag).
 * @param {string[]} argv
 */
function parseOverrides(argv) {
  /** @type {Record<string, string | true>} */
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = /** @type {string} */ (argv[i]);
    if (!arg.startsWith('--')) throw new Error(`all: unexpected argument "${arg}"`);
    const [option, inline] = arg.slice(2).split('=', 2);
    if (!option) continue;
    const next = argv[i + 1];
    const value = inline ?? (next !== undefined && !next.startsWith('--') ? ((i += 1), next) : true);
    if (option !== 'store') out[option] = value;
  }
  return out;
}

/** @param {Record<string, { description?: string, default?: unknown }>} spec */
const describe = (spec) =>
  Object.entries(spec)
    .map(([name, o]) => `  --${name.padEnd(16)} ${o.description ?? ''}${o.default !== undefined && o.default !== false ? ` (default ${o.default})` : ''}`)
    .join('\n');

/**
 * @param {NonNullable<ReturnType<typeof summariseProfile>>} profile
 * @param {(m: string) => void} log
 */
function printProfile(profile, log) {
  log(`profile: ${profile.file} (${profile.totalMs} ms sampled)`);
  log('self time by place:');
  for (const p of profile.places) log(`  ${String(p.percent).padStart(5)}%  ${p.name}`);
  log('top frames by self time:');
  for (const f of profile.frames) log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
}

/** What to undo if the run is interrupted: the server process, the fresh store. */
const cleanups = new Set();
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, async () => {
    process.stderr.write(`\n${signal}: stopping the server and removing the fresh store\n`);
    for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => {});
    process.exit(130);
  });
}

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  if (name === 'all') return runAll(argv);
  const load = name ? SCENARIOS[/** @type {keyof typeof SCENARIOS} */ (name)] : undefined;
  if (!load) {
    const list = [...Object.keys(SCENARIOS), 'all'].join(', ');
    process.stderr.write(`usage: npm run bench -- <scenario> [options]\nscenarios: ${list}\noptions:\n${describe(COMMON)}\n`);
    process.exit(name && !['-h', '--help', 'help'].includes(name) ? 2 : 0);
  }
  const scenario = await load();
  const needsRedis = 'needsRedis' in scenario && scenario.needsRedis === true;
  const spec = { ...COMMON, ...(needsRedis ? REDIS : {}), ...scenario.options };
  /** @type {Record<string, string | boolean | undefined>} */
  const values = parseArgs({ args: argv, options: /** @type {import('node:util').ParseArgsConfig['options']} */ (spec), strict: true }).values;
  if (values.help) {
    process.stdout.write(`${name}: ${scenario.description}\noptions:\n${describe(spec)}\n`);
    return;
  }

  const external = typeof values.url === 'string';
  const stores = external
    ? [process.env.DATABASE_URL ? 'postgres' : 'sqlite']
    : values.store === 'both'
      ? ['sqlite', 'postgres']
      : [values.store ?? ('defaultStore' in scenario ? scenario.defaultStore : 'sqlite')];
  /** The stores a scenario can run on (`stores`, when it exports one): a cluster needs PostgreSQL. */
  const supported = 'stores' in scenario ? /** @type {string[]} */ (scenario.stores) : ['sqlite', 'postgres'];
  for (const store of stores) {
    if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite, postgres or both, not "${store}"`);
    if (!supported.includes(store)) {
      process.stderr.write(`${name} runs on ${supported.join(' or ')} only, not ${store}${'storeNote' in scenario ? `: ${scenario.storeNote}` : ''}\n`);
      process.exit(2);
    }
  }
  if (needsRedis && external) throw new Error(`${name} starts its own servers, with Redis: it cannot use --url`);
  const runId = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;

  for (const store of /** @type {('sqlite' | 'postgres')[]} */ (stores)) {
    const log = (/** @type {string} */ m) => process.stderr.write(`[${name} ${store}] ${m}\n`);
    const startedAt = new Date().toISOString();
    const revision = sourceRevision(); // before the run: what the server was built from
    const fresh = external
      ? undefined
      : await freshStore(store, { runId, dataRoot: String(values['data-dir']), postgresUrl: String(values['postgres-url']), keep: values.keep === true });
    if (fresh) cleanups.add(fresh.dispose);
    if (fresh && needsRedis) fresh.env.REDIS_URL = String(values['redis-url']);
    /** Servers a scenario starts besides the first (a cluster's), stopped with it. */
    /** @type {import('./lib/server.mjs').RunningServer[]} */
    const more = [];
    let server;
    try {
      if (fresh) {
        server = await startServer(fresh.env, {
          dir: fresh.dir,
          logLevel: String(values['log-level']),
          profile: values.profile === true,
          inspect: 'inspectServer' in scenario && scenario.inspectServer === true,
        });
        cleanups.add(server.stop);
        log(`server pid ${server.pid} at ${server.url} (${store}, logs in ${fresh.dir}/server.log)`);
      }
      // With --url, the server's store is the one this environment names (the CLI and the bulk seeding need it).
      const env = fresh ? fresh.env : { DATABASE_URL: process.env.DATABASE_URL ?? '', CHATSDK_DATA_DIR: process.env.CHATSDK_DATA_DIR ?? '' };
      const serverPid = server?.pid ?? (values['server-pid'] ? Number(values['server-pid']) : undefined);
      const startAnotherServer = fresh
        ? async (/** @type {string} */ serverName) => {
            const another = await startServer(fresh.env, { dir: fresh.dir, logLevel: String(values['log-level']), name: serverName });
            more.push(another);
            cleanups.add(another.stop);
            log(`${serverName} pid ${another.pid} at ${another.url} (logs in ${fresh.dir}/${serverName}.log)`);
            return another;
          }
        : undefined;
      const outcome = await scenario.run({ url: server?.url ?? String(values.url), env, store, serverPid, inspectorUrl: server?.inspectorUrl, options: values, log, startAnotherServer });
      for (const another of more) await another.stop();
      await server?.stop(); // a profile is written when the server exits
      const profile = fresh && values.profile ? summariseProfile(join(fresh.dir, 'profile')) : undefined;
      if (profile) profile.file = keepProfile(profile.file, { scenario: name, store, startedAt });
      const result = { scenario: name, store, startedAt, machine: machine(), revision, server: { managed: !external, url: server?.url ?? values.url }, ...outcome, ...(profile ? { profile } : {}) };
      if (profile) printProfile(profile, log);
      const file = writeResult(result);
      updateResultsMd(result);
      log(`result: ${file}`);
      process.stdout.write(`${name} ${store}: ${outcome.summary}\n`);
    } finally {
      for (const another of more) {
        await another.stop();
        cleanups.delete(another.stop);
      }
      await server?.stop();
      await fresh?.dispose();
      if (server) cleanups.delete(server.stop);
      if (fresh) cleanups.delete(fresh.dispose);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
