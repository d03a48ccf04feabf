import type { Attachment } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { AppRecord } from '../auth/apps.js';

/** The rules every message body obeys, on send and on edit: text or an attachment, text within the app's limit. */
export function checkMessageContent(app: AppRecord, text: string, attachments: Attachment[]): void {
  if (text.trim() === '' && attachments.length === 0) throw new ApiError('validation_failed', 'a message needs text or an attachment');
  // Characters, not UTF-16 units: an emoji counts once, as a user would count it.
  if ([...text].length > app.maxMessageLength) {
    throw new ApiError('validation_failed', `body/text must be at most ${app.maxMessageLength} characters`);
  }
}
