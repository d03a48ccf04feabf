import { type Attachment, LIMITS } from '@chatsdk/protocol';
import { ApiError } from '../errors.js';
import type { AppRecord } from './apps.js';

/** A message's `custom` as stored, refused past the documented size. */
export function serialisedCustom(custom: Record<string, unknown> | undefined): string {
  const json = JSON.stringify(custom ?? {});
  if (Buffer.byteLength(json) > LIMITS.customBytes) {
    throw new ApiError('validation_failed', `custom must be at most ${LIMITS.customBytes} bytes of JSON`);
  }
  return json;
}

/** The rules every message body obeys, on send and on edit: text or an attachment, text within the app's limit. */
export function checkMessageContent(app: AppRecord, text: string, attachments: Attachment[]): void {
  if (text.trim() === '' && attachments.length === 0) throw new ApiError('validation_failed', 'a message needs text or an attachment');
  // Characters, not UTF-16 units: an emoji counts once, as a user would count it.
  if ([...text].length > app.maxMessageLength) {
    throw new ApiError('validation_failed', `body/text must be at most ${app.maxMessageLength} characters`);
  }
}
