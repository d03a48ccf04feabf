import { Redis } from 'ioredis';
import { PRESENCE_TTL_MS, type PresenceStore } from './presence-store.js';

// A set is a hash: field → "<expiry ms>|<info>". Entries past their expiry are dead even before
// anyone deletes them, so a crashed process's entries lapse; the key itself expires with its last renewal.
const LIVE_OTHERS = `
local now = tonumber(ARGV[2])
local entries = redis.call('HGETALL', KEYS[1])
local live = 0
for i = 1, #entries, 2 do
  if entries[i] ~= ARGV[1] then
    local bar = string.find(entries[i + 1], '|', 1, true)
    if bar and tonumber(string.sub(entries[i + 1], 1, bar - 1)) > now then live = live + 1 end
  end
end
return live`;

// Read the others and write ours in one step: two processes adding at once cannot both see an empty set.
const ADD = `${LIVE_OTHERS.replace('return live', '')}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return live`;

const REMOVE = `redis.call('HDEL', KEYS[1], ARGV[1])
${LIVE_OTHERS}`;

type Eval = (script: string, keys: number, ...args: Array<string | number>) => Promise<unknown>;

function isLive(value: string, now: number): boolean {
  const bar = value.indexOf('|');
  return bar > 0 && Number(value.slice(0, bar)) > now;
}

/** Presence shared by every process through Redis hashes. */
export function createRedisPresence(url: string, prefix = 'chatsdk:presence:'): PresenceStore {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // ioredis reconnects by itself; without a listener a lost connection would be an unhandled 'error' event.
  redis.on('error', () => {});
  const run = redis.eval.bind(redis) as Eval;
  const entry = (info: string) => `${Date.now() + PRESENCE_TTL_MS}|${info}`;

  return {
    kind: 'redis',
    async add(key, field, info) {
      return Number(await run(ADD, 1, prefix + key, field, Date.now(), entry(info), PRESENCE_TTL_MS));
    },
    async remove(key, field) {
      return Number(await run(REMOVE, 1, prefix + key, field, Date.now()));
    },
    async put(key, field, info) {
      await redis.pipeline().hset(prefix + key, field, entry(info)).pexpire(prefix + key, PRESENCE_TTL_MS).exec();
    },
    async drop(key, field) {
      await redis.hdel(prefix + key, field);
    },
    async list(key) {
      const now = Date.now();
      const live = new Map<string, string>();
      for (const [field, value] of Object.entries(await redis.hgetall(prefix + key))) {
        if (isLive(value, now)) live.set(field, value.slice(value.indexOf('|') + 1));
      }
      return live;
    },
    async nonEmpty(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hvals(prefix + key);
      const now = Date.now();
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, values]) => {
        if (error) throw error;
        return (values as string[]).some((value) => isLive(value, now));
      });
    },
    async refresh(entries) {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const [key, field, info] of entries) {
        pipeline.hset(prefix + key, field, entry(info));
        pipeline.pexpire(prefix + key, PRESENCE_TTL_MS);
      }
      await pipeline.exec();
    },
    async close() {
      redis.disconnect();
    },
  };
}
