import type { AuditEntry, AuditPage, ListAuditQuery } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { ModerationAuditTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../auth/caller.js';
import { randomId, toIso } from '../common/ids.js';
import { readJson } from '../common/json-columns.js';
import { decodeTimeKey, encodeTimeKey } from '../common/keyset.js';
import type { Tx } from '../events/batch-end.js';

/** Entries per page when the caller gives no limit. */
const DEFAULT_LIMIT = 50;

/** One moderation action to keep. */
export interface AuditInput {
  appId: string;
  action: string;
  /** The acting user's id; null for the server (API key) or the system. */
  actorId: string | null;
  targetType: AuditEntry['targetType'];
  targetId: string;
  channelId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
  at?: number;
}

/** The acting user of a caller, as the audit log names them: null for the app's server. */
export function actorOf(caller: Caller): string | null {
  return caller.kind === 'user' ? caller.user.id : null;
}

/** Entries of one millisecond on this process, counted so that their ids keep the order they were written in. */
let lastAt = 0;
let sameMs = 0;

/**
 * An id that sorts as the entries were written, within one process: the
 * log pages by (time, id), newest first, and a review's ban and the review
 * itself share a millisecond. The random part keeps processes apart.
 */
function auditId(at: number): string {
  sameMs = at === lastAt ? sameMs + 1 : 0;
  lastAt = at;
  return `aud_${at.toString(36).padStart(9, '0')}${sameMs.toString(36).padStart(3, '0')}${randomId('').slice(1, 9)}`;
}

/**
 * Keeps one moderation action, in the transaction of the action itself: it
 * is in the log if and only if it happened.
 */
export async function recordAudit(trx: Tx, entry: AuditInput): Promise<void> {
  const at = entry.at ?? Date.now();
  await trx
    .insertInto('moderation_audit')
    .values({
      app_id: entry.appId,
      id: auditId(at),
      action: entry.action,
      actor_id: entry.actorId,
      target_type: entry.targetType,
      target_id: entry.targetId,
      channel_id: entry.channelId ?? null,
      reason: entry.reason ?? null,
      details: JSON.stringify(entry.details ?? {}),
      created_at: at,
    })
    .execute();
}

function toWireAudit(row: Selectable<ModerationAuditTable>): AuditEntry {
  return {
    id: row.id,
    action: row.action,
    actorId: row.actor_id,
    targetType: row.target_type as AuditEntry['targetType'],
    targetId: row.target_id,
    channelId: row.channel_id,
    reason: row.reason,
    details: readJson<Record<string, unknown>>(row.details),
    createdAt: toIso(Number(row.created_at)),
  };
}

/** `GET /api/moderation/audit`: the app's moderation actions, newest first, keyset-paged. */
export async function listAudit(store: Store, appId: string, query: ListAuditQuery): Promise<AuditPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  let q = store.db.selectFrom('moderation_audit').selectAll().where('app_id', '=', appId);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.targetId !== undefined) q = q.where('target_id', '=', query.targetId);
  if (query.cursor !== undefined) {
    const after = decodeTimeKey(query.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(toWireAudit),
    next: rows.length > limit && last ? encodeTimeKey({ at: Number(last.created_at), id: last.id }) : null,
  };
}
