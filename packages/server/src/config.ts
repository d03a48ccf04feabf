import { resolve } from 'node:path';
import type { S3Settings } from './files/index.js';

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
  /** `CHATSDK_PUBLIC_URL`: the origin clients reach this server at, for file links; by default the address it listens on. */
  publicUrl?: string | undefined;
  /** The `S3_*` variables: uploads go to this bucket instead of `dataDir/uploads`. */
  s3?: S3Settings | undefined;
  /** `CHATSDK_ALLOW_HTTP_WEBHOOKS=1`: webhook and hook URLs may be plain http (development); otherwise https only, but for allowlisted hosts. */
  allowHttpWebhooks?: boolean | undefined;
}

const S3_REQUIRED = ['S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

function flagValue(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

/** The S3 settings when `S3_BUCKET` is set; every other required variable must be set with it. */
function s3Settings(env: NodeJS.ProcessEnv): S3Settings | undefined {
  if (!env.S3_BUCKET) return undefined;
  const missing = S3_REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`S3_BUCKET is set, so ${missing.join(', ')} must be too`);
  const endpoint = env.S3_ENDPOINT || undefined;
  return {
    bucket: env.S3_BUCKET,
    endpoint,
    region: env.S3_REGION ?? '',
    accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
    // A custom endpoint (MinIO, Ceph, R2, s3rver) almost always wants path-style addressing; AWS itself does not.
    forcePathStyle: flagValue('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE, endpoint !== undefined),
    presignedRedirect: flagValue('S3_PRESIGNED_REDIRECT', env.S3_PRESIGNED_REDIRECT, false),
  };
}

function publicUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`CHATSDK_PUBLIC_URL must be a URL such as https://chat.example.com, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('CHATSDK_PUBLIC_URL must be http:// or https://');
  return url.toString().replace(/\/+$/, '');
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
    publicUrl: publicUrl(env.CHATSDK_PUBLIC_URL),
    s3: s3Settings(env),
    allowHttpWebhooks: flagValue('CHATSDK_ALLOW_HTTP_WEBHOOKS', env.CHATSDK_ALLOW_HTTP_WEBHOOKS, false),
  };
}
