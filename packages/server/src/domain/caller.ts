import type { AppRecord } from './apps.js';
import type { UserRecord } from './users.js';

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
