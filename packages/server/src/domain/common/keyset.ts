import { ApiError } from '../../errors.js';

/** A position in a list ordered by a time, newest first, with an id to break ties. */
export interface TimeKey {
  at: number;
  id: string;
}

const ID = /^[A-Za-z0-9_.@:-]{1,128}$/;

/** The opaque cursor of a position: base64url of `<ms>.<id>`. */
export function encodeTimeKey(key: TimeKey): string {
  return Buffer.from(`${key.at}.${key.id}`).toString('base64url');
}

/** Reads a cursor this API returned; anything else is the caller's mistake (400), never a 500. */
export function decodeTimeKey(cursor: string): TimeKey {
  const text = Buffer.from(cursor, 'base64url').toString();
  const dot = text.indexOf('.');
  const at = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  const key = { at, id };
  if (dot < 1 || !Number.isSafeInteger(at) || at < 0 || !ID.test(id) || encodeTimeKey(key) !== cursor) {
    throw new ApiError('validation_failed', 'cursor is not one this API returned');
  }
  return key;
}

/** The opaque cursor after an id, for lists ordered by id (users, members, read receipts). */
export function encodeIdKey(id: string): string {
  return Buffer.from(id).toString('base64url');
}

/** Reads an id cursor this API returned; anything else is a 400. */
export function decodeIdKey(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (encodeIdKey(id) !== cursor || !ID.test(id)) throw new ApiError('validation_failed', 'cursor is not one this API returned');
  return id;
}
