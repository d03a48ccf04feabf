import type { Store } from '../../store/store.js';
import { type UserRecord, userFromRow } from '../users/users.js';
import type { AppRecord } from './apps.js';

/** The customer's backend, authenticated by the app's API key: full rights over its own app. */
export interface ServerCaller {
  kind: 'server';
  app: AppRecord;
}

/** An end user, authenticated by their REST token. */
export interface UserCaller {
  kind: 'user';
  app: AppRecord;
  user: UserRecord;
}

/** Who is asking a domain function to act. */
export type Caller = ServerCaller | UserCaller;

/** The caller's user id, or null for the server. */
export function callerUserId(caller: Caller): string | null {
  return caller.kind === 'user' ? caller.user.id : null;
}

/** The user a token names, with their app, in one round trip: the auth path runs on every request. */
export async function findUserWithApp(
  store: Store,
  appId: string,
  userId: string,
): Promise<{ user: UserRecord; app: AppRecord } | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('apps', 'apps.id', 'users.app_id')
    .selectAll('users')
    .select([
      'apps.name as app_name',
      'apps.jwt_secret as app_jwt_secret',
      'apps.token_ttl_seconds as app_token_ttl_seconds',
      'apps.allowed_origins as app_allowed_origins',
      'apps.created_at as app_created_at',
      'apps.max_message_length as app_max_message_length',
    ])
    .where('users.app_id', '=', appId)
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    user: userFromRow(row),
    app: {
      id: row.app_id,
      name: row.app_name,
      jwtSecret: row.app_jwt_secret,
      tokenTtlSeconds: row.app_token_ttl_seconds,
      allowedOrigins: JSON.parse(row.app_allowed_origins) as string[],
      maxMessageLength: row.app_max_message_length,
      createdAt: row.app_created_at,
    },
  };
}
