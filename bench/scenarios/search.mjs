// Issue 7: message search over a million messages in a thousand channels,
// scoped to the caller's channels, newest first, at a steady rate.
import { insertChannelsInBulk, insertMessagesInBulk, seededRandom, wordOf, zipfWords } from '../lib/bulk-messages.mjs';
import { pacedFigures, startPacedGets } from '../lib/paced-gets.mjs';
import { createApp } from '../lib/server.mjs';
import { issueTokens, userId } from '../lib/seed.mjs';

export const description = '1,000,000 messages (Zipf-distributed words) over 1,000 channels; a member of some searches common, mid, rare and prefix terms; p99 ≤ 10 ms';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  messages: { type: 'string', default: '1000000', description: 'messages, spread at random over the channels' },
  channels: { type: 'string', default: '1000', description: 'channels of the app' },
  'member-of': { type: 'string', default: '30', description: "channels the searching user is a member of" },
  rate: { type: 'string', default: '200', description: 'searches per second, steady (open loop)' },
  duration: { type: 'string', default: '10', description: 'seconds measured per kind of query' },
  warmup: { type: 'string', default: '2', description: 'seconds of unmeasured load per kind first' },
  limit: { type: 'string', default: '20', description: 'results per page' },
};

/** Issue 7's bar for a search. */
const P99_BAR_MS = 10;

/** Kinds of query, each a set of 20 words (or prefixes) of similar frequency asked in turn. */
const KINDS = [
  { name: 'common word', words: Array.from({ length: 20 }, (_, i) => wordOf(i)) },
  { name: 'mid word', words: Array.from({ length: 20 }, (_, i) => wordOf(300 + i)) },
  { name: 'rare word', words: Array.from({ length: 20 }, (_, i) => wordOf(12_000 + i)) },
  // Three letters: the shortest prefix the API expands; each matches several words.
  { name: 'prefix', words: Array.from({ length: 20 }, (_, i) => wordOf(20 + i).slice(0, 3)) },
  { name: 'two words', words: Array.from({ length: 20 }, (_, i) => `${wordOf(i)} ${wordOf(40 + i)}`) },
];

/** @param {import('../run.mjs').ScenarioContext} ctx */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = {
    messages: Number(raw.messages),
    channels: Number(raw.channels),
    memberOf: Number(raw['member-of']),
    rate: Number(raw.rate),
    duration: Number(raw.duration),
    warmup: Number(raw.warmup),
    limit: Number(raw.limit),
  };
  for (const [name, value] of Object.entries(o)) if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  if (o.memberOf > o.channels) throw new Error('--member-of cannot exceed --channels');

  const app = await createApp(env, `bench search ${new Date().toISOString()}`);
  const searcher = userId(0);
  const [token] = await issueTokens(url, app.apiKey, [searcher]);
  const random = seededRandom(5);
  const channelIds = Array.from({ length: o.channels }, (_, i) => `c${String(i).padStart(4, '0')}`);
  const mine = new Set([...channelIds].sort(() => random() - 0.5).slice(0, o.memberOf));
  await insertChannelsInBulk(env, app.id, channelIds.map((id) => ({ id, members: mine.has(id) ? [searcher] : [] })));

  log(`seeding ${o.messages.toLocaleString('en')} messages over ${o.channels} channels in bulk (member of ${o.memberOf})`);
  const words = zipfWords();
  const channelOf = channelIds.map(() => '');
  /** How many messages hold each kind's words, overall and in the searcher's channels. */
  const counts = Object.fromEntries(KINDS.map((k) => [k.name, { all: 0, mine: 0 }]));
  const matchers = KINDS.map((k) => ({ kind: k.name, tests: k.words.map((w) => wordTest(w)) }));
  const seedSeconds = await insertMessagesInBulk(env, {
    appId: app.id,
    count: o.messages,
    channelOf: (i) => (channelOf[i % channelOf.length] = channelIds[Math.floor(random() * channelIds.length)] ?? ''),
    text: (i) => {
      const text = words.text();
      const channel = channelOf[i % channelOf.length] ?? '';
      const lower = text.toLowerCase();
      for (const m of matchers) {
        // Counted for the first word of each kind only: the figure gives the scale, not each word's.
        if (m.tests[0]?.(lower)) {
          const c = counts[m.kind];
          if (c) {
            c.all += 1;
            if (mine.has(channel)) c.mine += 1;
          }
        }
      }
      return text;
    },
    log,
  });
  log(`seeded in ${seedSeconds.toFixed(1)} s; matches of each kind's first query (all / the searcher's channels): ${JSON.stringify(counts)}`);

  const load = startPacedGets({ url, store, env, serverPid, headers: { authorization: `Bearer ${token}` } });
  try {
    /** @type {Record<string, import('../lib/paced-gets.mjs').PacedMeasurement>} */
    const measured = {};
    for (const kind of KINDS) {
      const paths = kind.words.map((q) => `/api/search?limit=${o.limit}&q=${encodeURIComponent(q)}`);
      log(`${kind.name} (e.g. "${kind.words[0]}"): ${o.warmup} s warm-up, ${o.duration} s at ${o.rate} req/s`);
      measured[kind.name] = await load.measure({ paths, rate: o.rate, seconds: o.duration, warmup: o.warmup });
    }
    const figures = [
      { figure: 'bulk seeding', value: `${o.messages.toLocaleString('en')} messages over ${o.channels} channels in ${seedSeconds.toFixed(1)} s` },
      ...KINDS.flatMap((k) => {
        const c = counts[k.name];
        const label = `${k.name} ("${k.words[0]}": ${c?.all.toLocaleString('en')} matches, ${c?.mine.toLocaleString('en')} in ${o.memberOf} channels)`;
        return pacedFigures(label, /** @type {import('../lib/paced-gets.mjs').PacedMeasurement} */ (measured[k.name]), P99_BAR_MS);
      }),
    ];
    const met = figures.every((f) => !('met' in f) || f.met !== false);
    return {
      options: o,
      seedSeconds,
      matches: counts,
      queries: measured,
      summary:
        `${o.messages.toLocaleString('en')} messages / ${o.channels} channels, member of ${o.memberOf}, ${o.rate} req/s: ` +
        KINDS.map((k) => `${k.name} p50 ${measured[k.name]?.latencyMs.p50} / p99 ${measured[k.name]?.latencyMs.p99} ms`).join(', ') +
        ` (p99 ≤ ${P99_BAR_MS} ms: ${met ? 'yes' : 'NO'})`,
      figures,
    };
  } finally {
    await load.stop();
  }
}

/**
 * Whether a lowercased text holds every word of a query, the last as a prefix
 * when it has 3 letters or more: the API's rule, to count the matches.
 * @param {string} query
 */
function wordTest(query) {
  const parts = query.split(' ');
  return (/** @type {string} */ lower) => {
    const tokens = lower.split(' ');
    return parts.every((p, i) => (i === parts.length - 1 && p.length >= 3 ? tokens.some((t) => t.startsWith(p)) : tokens.includes(p)));
  };
}
