import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Cursor } from './common.js';
import { Message } from './messages.js';

/**
 * `GET /api/search` query. Every word of `q` must occur in a message's text
 * (case-insensitive; the last word also matches as a prefix when it has 3
 * characters or more). `channelId` narrows the search to up to 50 channels:
 * repeat it (`channelId=a&channelId=b`) or give a comma list (`channelId=a,b`).
 */
export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: LIMITS.searchQueryLength }),
    // A single value arrives as a one-item array (query strings are coerced); each item may be a comma list.
    channelId: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: LIMITS.searchChannels })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** `{ results, next }`: live messages that match, newest first; `next` pages on. */
export const SearchResponse = Type.Object({ results: Type.Array(Message), next: Type.Optional(Cursor) });
