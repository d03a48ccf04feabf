import { Type } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { HTTP_URL_PATTERN, LIMITS } from '../limits.js';

/** The one error response shape. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_CODES).map((code) => Type.Literal(code))),
      message: Type.String(),
      status: Type.Integer(),
      requestId: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse' },
);

/** An opaque keyset cursor, as returned in a list's `next`. */
export const Cursor = Type.String({ minLength: 1, maxLength: 512 });

/** A URL that clients load or link to (an image, an attachment): `http://` or `https://` only. */
export const HttpUrl = Type.String({
  maxLength: LIMITS.imageUrlLength,
  pattern: HTTP_URL_PATTERN,
  description: 'An http(s) URL; javascript:, data: and other schemes are refused',
});

/** An ISO-8601 timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

/** A free-form JSON object the customer owns; limited to 5 KiB serialised. */
export const CustomData = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown());
