import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Timestamp } from './common.js';

/** Upload ids are the server's: `upl_` and random URL-safe characters. */
export const UploadId = Type.String({ minLength: 5, maxLength: 64, pattern: '^upl_[A-Za-z0-9_-]+$' });

/** What an upload is, from its sniffed type: the attachment `type` it makes. */
export const UploadKind = Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('audio'), Type.Literal('file')]);

/**
 * A file as stored. `url` and `thumbnailUrl` are signed links that expire
 * (see the README's uploads section): they are built fresh at every read and
 * are never stored.
 */
export const Upload = Type.Object({
  id: Type.String(),
  /** The attachment `type` this upload makes: image, video, audio or file. */
  type: UploadKind,
  url: Type.String(),
  name: Type.String(),
  /** Sniffed from the bytes, never taken from the name or the client's header. */
  mimeType: Type.String(),
  /** Bytes served (an image's are its re-encoded, metadata-free bytes). */
  size: Type.Integer(),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  thumbnailUrl: Type.Optional(Type.String()),
  /** The channel it may be attached in; null until attached when uploaded without one. */
  channelId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

/** `{ upload }` */
export const UploadResponse = Type.Object({ upload: Upload });

/** Path parameters naming an upload. */
export const UploadParams = Type.Object({ id: UploadId });

/**
 * `POST /api/uploads` body, as documented: `multipart/form-data` with one
 * `file` part and an optional `channelId` field. The server reads the parts
 * itself, as a stream; this schema describes them and validates nothing.
 */
export const UploadForm = Type.Object(
  {
    file: Type.String({ format: 'binary', description: 'The file; its type is sniffed from its bytes' }),
    channelId: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.channelIdLength, description: 'The channel it will be attached in' })),
  },
  { required: ['file'] },
);

/** Path parameters of a file link: the app and the upload. */
export const FileParams = Type.Object({
  appId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  id: UploadId,
});

/** A file link's query: its expiry (seconds since the epoch) and signature. */
export const FileQuery = Type.Object(
  {
    exp: Type.Integer({ minimum: 0, maximum: 99_999_999_999 }),
    sig: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
);
