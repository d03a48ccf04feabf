import { resolve } from 'node:path';

/** Everything the server reads from its environment. */
export interface Config {
  port: number;
  host: string;
  /** Where the SQLite file lives when no `databaseUrl` is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  logLevel: string;
  /** `CHATSDK_SECRET_KEY`: seals apps' signing secrets at rest when set. */
  secretKey?: string | undefined;
}

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 5500;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a port number, not "${value}"`);
  return n;
}

/** Reads the configuration; throws with a plain message on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: port(env.PORT),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.CHATSDK_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    secretKey: env.CHATSDK_SECRET_KEY || undefined,
  };
}
