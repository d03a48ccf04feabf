// Issue 7: paging a channel of a million messages costs the same at its end
// as at its start, because every page is a keyset range on the sequence.
import { insertMessagesInBulk, seededRandom, zipfWords } from '../lib/bulk-messages.mjs';
import { pacedFigures, startPacedGets } from '../lib/paced-gets.mjs';
import { createApp } from '../lib/server.mjs';
import { call, issueTokens, userId } from '../lib/seed.mjs';

export const description = 'A channel of 1,000,000 messages (bulk-seeded): latest page, deep before= and around= pages at a steady rate; p99 ≤ 5 ms';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  messages: { type: 'string', default: '1000000', description: 'messages in the channel' },
  rate: { type: 'string', default: '1000', description: 'requests per second, steady (open loop)' },
  duration: { type: 'string', default: '10', description: 'seconds measured per kind of page' },
  warmup: { type: 'string', default: '2', description: 'seconds of unmeasured load per kind first' },
  limit: { type: 'string', default: '25', description: 'messages per page' },
};

/** Issue 7's bar for a history page. */
const P99_BAR_MS = 5;

/** @param {import('../run.mjs').ScenarioContext} ctx */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = { messages: Number(raw.messages), rate: Number(raw.rate), duration: Number(raw.duration), warmup: Number(raw.warmup), limit: Number(raw.limit) };
  for (const [name, value] of Object.entries(o)) if (!(value > 0)) throw new Error(`--${name} must be a positive number`);

  const app = await createApp(env, `bench history ${new Date().toISOString()}`);
  const reader = userId(0);
  const [token] = await issueTokens(url, app.apiKey, [reader]);
  await call(url, 'POST', '/api/channels', { 'x-api-key': app.apiKey }, { type: 'messaging', id: 'history', createdBy: reader, members: [reader] });
  log(`seeding ${o.messages.toLocaleString('en')} messages in bulk`);
  const words = zipfWords();
  const seedSeconds = await insertMessagesInBulk(env, { appId: app.id, count: o.messages, channelOf: () => 'history', text: () => words.text(), log });
  log(`seeded in ${seedSeconds.toFixed(1)} s`);

  // Positions spread over the whole history, so the pages do not all sit in one warm corner of the index.
  const random = seededRandom(11);
  const positions = Array.from({ length: 2000 }, () => 1 + Math.floor(random() * o.messages));
  const base = `/api/channels/history/messages?limit=${o.limit}`;
  const kinds = [
    { name: 'latest page', paths: [base] },
    { name: 'before= page (anywhere in the history)', paths: positions.map((p) => `${base}&before=${p}`) },
    { name: 'around= page (anywhere in the history)', paths: positions.map((p) => `${base}&around=${p}`) },
  ];
  const load = startPacedGets({ url, store, env, serverPid, headers: { authorization: `Bearer ${token}` } });
  try {
    /** @type {Record<string, import('../lib/paced-gets.mjs').PacedMeasurement>} */
    const measured = {};
    for (const kind of kinds) {
      log(`${kind.name}: ${o.warmup} s warm-up, ${o.duration} s at ${o.rate} req/s`);
      measured[kind.name] = await load.measure({ paths: kind.paths, rate: o.rate, seconds: o.duration, warmup: o.warmup });
    }
    const figures = [
      { figure: 'bulk seeding', value: `${o.messages.toLocaleString('en')} messages in ${seedSeconds.toFixed(1)} s` },
      ...kinds.flatMap((k) => pacedFigures(k.name, /** @type {import('../lib/paced-gets.mjs').PacedMeasurement} */ (measured[k.name]), P99_BAR_MS)),
    ];
    const met = figures.every((f) => !('met' in f) || f.met !== false);
    return {
      options: o,
      seedSeconds,
      pages: measured,
      summary:
        `${o.messages.toLocaleString('en')} messages, ${o.rate} req/s: ` +
        kinds.map((k) => `${k.name.split(' ')[0]} p50 ${measured[k.name]?.latencyMs.p50} / p99 ${measured[k.name]?.latencyMs.p99} ms`).join(', ') +
        ` (p99 ≤ ${P99_BAR_MS} ms: ${met ? 'yes' : 'NO'})`,
      figures,
    };
  } finally {
    await load.stop();
  }
}
