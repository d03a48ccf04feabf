// Issue 17's blocklist figure: the send scenario's load (REST sends into one
// channel of 100 members, each closed loop one member) measured on one
// server in three windows: no blocklist; a 1,000-word `block` list attached
// to the channel, whose words the bench text does not hold (every send is
// folded, cut into tokens and looked up, and passes); and a 1,000-word
// `mask` list holding one of the text's words (every send is masked). The
// added server CPU per send is each window's against the first. Those
// differences are small beside a send's whole cost and this machine's noise,
// so the matcher is also timed alone, in this process, on the same text and
// lists (the built server's own module), which measures what the windows
// can only bracket.
import { startLoad } from '../lib/load.mjs';
import { loadFigures, measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { call, issueTokens, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';

export const description =
  'REST sends into one channel of 100 members, without a blocklist, then with a 1,000-word block list the text misses, then a 1,000-word mask list it hits: added server CPU per send';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  duration: { type: 'string', default: '5', description: 'seconds of measured load per window' },
  warmup: { type: 'string', default: '2', description: 'seconds of unmeasured load before each window' },
  concurrency: { type: 'string', default: '64', description: 'requests in flight at once (closed loops, each with one member’s token)' },
  'load-processes': { type: 'string', default: '2', description: 'load generator processes' },
  words: { type: 'string', default: '1000', description: 'words in each blocklist' },
  rounds: { type: 'string', default: '3', description: 'times the three windows are measured, in turn (the figures are the rounds’ medians)' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

const CHANNEL = 'send';
const MEMBERS = 100;
/** The load worker's text is `bench message <tag>-<n>`: the mask list holds "message". */
const TEXT_WORD = 'message';

/**
 * `count` distinct lower-case words of 5 to 10 letters, none of them a word
 * of the bench text (a small linear congruential generator: the same words
 * every run).
 * @param {number} count
 * @returns {string[]}
 */
function words(count) {
  /** @type {Set<string>} */
  const out = new Set();
  let seed = 17;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  while (out.size < count) {
    const length = 5 + (next() % 6);
    let word = '';
    for (let i = 0; i < length; i++) word += String.fromCharCode(97 + (next() % 26));
    if (word !== 'bench' && word !== TEXT_WORD) out.add(word);
  }
  return [...out];
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const round1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = {
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    concurrency: positiveOption(raw, 'concurrency'),
    loadProcesses: positiveOption(raw, 'load-processes'),
    words: positiveOption(raw, 'words'),
    rounds: positiveOption(raw, 'rounds'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };

  log(`seeding: an app, ${MEMBERS} users, one channel with all of them, a token each; two blocklists of ${o.words} words`);
  const app = await createApp(env, `bench send-blocklist ${new Date().toISOString()}`);
  const key = { 'x-api-key': app.apiKey };
  await seedUsers(url, app.apiKey, MEMBERS);
  const members = Array.from({ length: MEMBERS }, (_, n) => userId(n));
  await call(url, 'POST', '/api/channels', key, { type: 'messaging', id: CHANNEL, createdBy: members[0], members });
  const tokens = await issueTokens(url, app.apiKey, members);
  const listWords = words(o.words);
  await call(url, 'POST', '/api/moderation/blocklists', key, { name: 'bench-block', words: listWords, mode: 'block' });
  await call(url, 'POST', '/api/moderation/blocklists', key, { name: 'bench-mask', words: [...listWords.slice(1), TEXT_WORD], mode: 'mask' });
  const attach = (/** @type {string[]} */ blocklists) => call(url, 'PATCH', `/api/channels/${CHANNEL}`, key, { blocklists });
  // The app has lists from here on, so the "none" window pays the lists' walk of a channel that names none:
  // the cost of an app with blocklists, on a channel without them. An app without any pays one field read.

  const load = await startLoad(o.loadProcesses);
  /** @type {Record<'none' | 'block' | 'mask', ReturnType<typeof loadFigures>[]>} */
  const windows = { none: [], block: [], mask: [] };
  try {
    const phase = (/** @type {number} */ seconds) =>
      load.run({ url, method: 'POST', path: `/api/channels/${CHANNEL}/messages`, tokens, tokenPerLoop: true, concurrency: o.concurrency, seconds, expectStatus: 201 });
    const window = async (/** @type {'none' | 'block' | 'mask'} */ kind) => {
      await attach(kind === 'none' ? [] : [`bench-${kind}`]);
      log(`warm-up (${kind}): ${o.warmup} s`);
      await phase(o.warmup);
      log(`measuring (${kind}): ${o.duration} s, ${o.concurrency} in flight over ${o.loadProcesses} processes`);
      const m = await measureQuietly({ store, env, serverPid, loadPids: load.pids, maxDisturbance: o.maxDisturbance, log, phase: () => phase(o.duration) });
      windows[kind].push(loadFigures(m));
    };
    // The first window would otherwise also pay the server's JIT warming up.
    log(`warm-up of the server: ${Math.max(5, o.warmup)} s`);
    await phase(Math.max(5, o.warmup));
    for (let round = 0; round < o.rounds; round++) for (const kind of /** @type {const} */ (['none', 'block', 'mask'])) await window(kind);
  } finally {
    await load.stop();
  }

  // The mask window's sends were masked: the channel's last message shows it.
  const { messages } = await call(url, 'GET', `/api/channels/${CHANNEL}/messages?limit=1`, { authorization: `Bearer ${tokens[0]}` });
  const last = messages?.[0]?.text ?? '';
  if (!last.startsWith('bench ***')) throw new Error(`the last send of the mask window was stored as "${last}", not masked`);

  const alone = await timeMatcherAlone(listWords);
  log(`the matcher alone: ${alone.blockUs} µs per send (block list, no match), ${alone.maskUs} µs (mask list, one match), ${alone.accentedProse380CharsUs} µs (380 accented characters)`);

  const pick = (/** @type {'none' | 'block' | 'mask'} */ kind) => {
    const ws = windows[kind];
    const cpu = ws.map((w) => w.serverCpuUsPerCall).filter((x) => x !== null);
    return {
      perSecond: round1(median(ws.map((w) => w.perSecond))),
      p50: round1(median(ws.map((w) => w.latencyMs.p50))),
      p99: round1(median(ws.map((w) => w.latencyMs.p99))),
      serverCpuUsPerSend: cpu.length ? round1(median(/** @type {number[]} */ (cpu))) : null,
      /** The rounds' lowest and highest: how far apart windows of one kind land on this machine. */
      serverCpuRange: cpu.length ? `${Math.min(.../** @type {number[]} */ (cpu))}–${Math.max(.../** @type {number[]} */ (cpu))}` : '',
      errors: ws.reduce((a, w) => a + w.errorCount, 0),
      disturbed: ws.some((w) => w.disturbed),
    };
  };
  const none = pick('none');
  const block = pick('block');
  const mask = pick('mask');
  const added = (/** @type {ReturnType<typeof pick>} */ w) =>
    w.serverCpuUsPerSend === null || none.serverCpuUsPerSend === null ? null : round1(w.serverCpuUsPerSend - none.serverCpuUsPerSend);
  const line = (/** @type {ReturnType<typeof pick>} */ w) =>
    `${w.perSecond} sends/s, p50 / p99 ${w.p50} / ${w.p99} ms, server CPU ${w.serverCpuUsPerSend ?? '?'} µs/send (rounds ${w.serverCpuRange}), ${w.errors} errors`;
  const cost = (/** @type {ReturnType<typeof pick>} */ w) => (added(w) === null ? '?' : `${(added(w) ?? 0) >= 0 ? '+' : ''}${added(w)} µs`);
  const disturbed = none.disturbed || block.disturbed || mask.disturbed;
  return {
    options: o,
    windows,
    matcherAlone: alone,
    summary:
      `matcher alone ${alone.blockUs} / ${alone.maskUs} µs per send (block miss / mask hit); none: ${line(none)}; ${o.words}-word block list, no match: ${line(block)} (${cost(block)}); ${o.words}-word mask list, one match: ${line(mask)} (${cost(mask)})` +
      (disturbed ? ' — DISTURBED: other processes used the cores meanwhile' : ''),
    figures: [
      { figure: 'sends without a blocklist', value: line(none) },
      { figure: `server CPU added per send, ${o.words}-word block list the text misses`, value: `${cost(block)} (${line(block)})` },
      { figure: `server CPU added per send, ${o.words}-word mask list, one word masked`, value: `${cost(mask)} (${line(mask)})` },
      { figure: `matcher alone, per send (${o.words}-word block list missed / mask list hit, in-process)`, value: `${alone.blockUs} / ${alone.maskUs} µs; ${alone.accentedProse380CharsUs} µs for 380 accented characters` },
      { figure: 'send errors with blocklists', value: String(block.errors + mask.errors), bar: 'none', met: block.errors + mask.errors === 0 },
    ],
  };
}

/**
 * The server's matcher, timed alone on the bench's text: how much of a
 * send's CPU the lists cost, without the HTTP and store noise around it.
 * @param {string[]} listWords
 */
async function timeMatcherAlone(listWords) {
  const { compileBlocklists, findMatches, maskRanges } = await import('../../packages/server/dist/domain/moderation/blocklist-matcher.js');
  const compiled = compileBlocklists([
    { name: 'bench-block', words: listWords, patterns: [], mode: 'block', channelTypes: [] },
    { name: 'bench-mask', words: [...listWords.slice(1), TEXT_WORD], patterns: [], mode: 'mask', channelTypes: [] },
  ]);
  const benchTexts = Array.from({ length: 1000 }, (_, n) => `bench message ${process.pid}.0.${Date.now()}-${n}`);
  // A longer message, with accents (so folded code point by code point): about 70 words, 380 characters.
  const prose =
    'Ça me paraît évident : le café de la gare ferme à minuit, mais la boulangerie à côté reste ouverte, ' +
    'et on y trouve des croissants encore chauds, des éclairs au chocolat et un thé très correct. ' +
    "Si tu passes demain, préviens-moi, on pourra discuter du projet, des délais et de l'équipe ; " +
    'je ne sais pas encore si Zoë viendra, elle était malade cette semaine. À bientôt, Hélène';
  const proseTexts = Array.from({ length: 1000 }, (_, n) => `${prose} ${n}`);
  const perSend = (/** @type {boolean[]} */ applies, /** @type {string[]} */ texts = benchTexts) => {
    const rounds = 200;
    for (const text of texts) maskRanges(text, findMatches(compiled, applies, text));
    const started = process.cpuUsage();
    for (let r = 0; r < rounds; r++) for (const text of texts) maskRanges(text, findMatches(compiled, applies, text));
    const used = process.cpuUsage(started);
    return Math.round(((used.user + used.system) / (rounds * texts.length)) * 100) / 100;
  };
  return { blockUs: perSend([true, false]), maskUs: perSend([false, true]), accentedProse380CharsUs: perSend([true, false], proseTexts) };
}
