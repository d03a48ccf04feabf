import { LIMITS } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';

/** A `custom` object (of a user, a channel or a message) as stored, refused past the documented size. */
export function serialiseCustom(custom: Record<string, unknown> | undefined): string {
  const json = JSON.stringify(custom ?? {});
  if (Buffer.byteLength(json) > LIMITS.customBytes) {
    throw new ApiError('validation_failed', `custom must be at most ${LIMITS.customBytes} bytes of JSON`);
  }
  return json;
}
