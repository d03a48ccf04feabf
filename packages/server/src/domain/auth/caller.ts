import type { Store } from '../../store/store.js';
import { APP_WIDE, type BanRecord, banHolds } from './ban-records.js';
import { type UserRecord, userFromRow } from '../users/users.js';
import { type AppRecord, appFromRow } from './apps.js';

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
  /** The user's app-wide ban in force when they authenticated (read with the user, in the same statement). */
  appBan?: BanRecord | undefined;
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
): Promise<{ user: UserRecord; app: AppRecord; appBan: BanRecord | undefined } | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('apps', 'apps.id', 'users.app_id')
    // The app-wide ban comes with the user: every request reads this row anyway, and a ban must hold on all of them.
    .leftJoin('bans', (join) =>
      join.onRef('bans.app_id', '=', 'users.app_id').onRef('bans.user_id', '=', 'users.id').on('bans.channel_id', '=', APP_WIDE),
    )
    .selectAll('users')
    .select([
      'apps.name as app_name',
      'apps.jwt_secret as app_jwt_secret',
      'apps.token_ttl_seconds as app_token_ttl_seconds',
      'apps.allowed_origins as app_allowed_origins',
      'apps.created_at as app_created_at',
      'apps.max_message_length as app_max_message_length',
      'apps.max_connections_per_user as app_max_connections_per_user',
      'apps.max_upload_bytes as app_max_upload_bytes',
      'apps.allowed_upload_types as app_allowed_upload_types',
      'apps.link_previews as app_link_previews',
      'apps.before_send_url as app_before_send_url',
      'apps.before_send_timeout_ms as app_before_send_timeout_ms',
      'apps.before_send_on_failure as app_before_send_on_failure',
      'apps.before_send_secret as app_before_send_secret',
      'apps.auto_hide_after_flags as app_auto_hide_after_flags',
      'apps.blocklists_version as app_blocklists_version',
      'bans.shadow as ban_shadow',
      'bans.reason as ban_reason',
      'bans.banned_by as ban_banned_by',
      'bans.created_at as ban_created_at',
      'bans.expires_at as ban_expires_at',
    ])
    .where('users.app_id', '=', appId)
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const app = appFromRow(
    {
      id: row.app_id,
      name: row.app_name,
      jwt_secret: row.app_jwt_secret,
      token_ttl_seconds: row.app_token_ttl_seconds,
      allowed_origins: row.app_allowed_origins,
      max_message_length: row.app_max_message_length,
      max_connections_per_user: row.app_max_connections_per_user,
      max_upload_bytes: row.app_max_upload_bytes,
      allowed_upload_types: row.app_allowed_upload_types,
      link_previews: row.app_link_previews,
      before_send_url: row.app_before_send_url,
      before_send_timeout_ms: row.app_before_send_timeout_ms,
      before_send_on_failure: row.app_before_send_on_failure,
      before_send_secret: row.app_before_send_secret,
      auto_hide_after_flags: row.app_auto_hide_after_flags,
      blocklists_version: row.app_blocklists_version,
      created_at: row.app_created_at,
    },
    store.secrets,
  );
  const ban: BanRecord | undefined =
    row.ban_created_at === null
      ? undefined
      : {
          appId,
          userId,
          channelId: null,
          shadow: row.ban_shadow === 1,
          reason: row.ban_reason,
          bannedBy: row.ban_banned_by,
          createdAt: Number(row.ban_created_at),
          expiresAt: row.ban_expires_at === null ? null : Number(row.ban_expires_at),
        };
  return { user: userFromRow(row), app, appBan: banHolds(ban) ? ban : undefined };
}

/** Why a verified token no longer speaks for its user: `gone` (deleted), `revoked`, or `before` (issued before this user existed). */
export type TokenRefusal = 'gone' | 'revoked' | 'before';

/**
 * Whether a token issued at `issuedAt` still speaks for `user`. A user erased
 * and created again under the same id is a new user: tokens of the earlier
 * one, revoked or not, must not come back to life with the new row.
 */
export function tokenRefusal(user: UserRecord, token: { issuedAt: number; issuedAtExact: boolean }): TokenRefusal | undefined {
  if (user.deletedAt !== null) return 'gone';
  // A token of the very millisecond of the revocation was issued before it as far as anyone can tell.
  if (user.tokensValidAfter !== null && token.issuedAt <= user.tokensValidAfter) return 'revoked';
  // A token dated to the second only (no `ims`, as other issuers write them) may come from any moment of
  // that second: refused only when the whole second is before the row.
  const latest = token.issuedAtExact ? token.issuedAt : token.issuedAt + 999;
  if (latest < user.createdAt) return 'before';
  return undefined;
}

/**
 * When to date a token issued now for `user`: never before the user's row,
 * and after their last revocation, which another process may have written
 * with a clock a little ahead of this one's.
 */
export function issueTimeFor(user: UserRecord, now = Date.now()): number {
  return Math.max(now, user.createdAt, user.tokensValidAfter === null ? 0 : user.tokensValidAfter + 1);
}
