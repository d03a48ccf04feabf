import multipart, { type Multipart } from '@fastify/multipart';
import { FileParams, FileQuery, UploadForm, UploadParams, UploadResponse } from '@chatsdk/protocol/schemas';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { getApp } from '../../domain/auth/apps.js';
import { linkKeyOf } from '../../domain/auth/link-keys.js';
import { parseRange } from '../../domain/files/byte-ranges.js';
import { type FormPart, receiveUpload } from '../../domain/files/receive-upload.js';
import { deleteUpload } from '../../domain/files/upload-deletes.js';
import { checkLink, type FileVariant } from '../../domain/files/upload-links.js';
import { findUpload, toWireUpload, type UploadRecord } from '../../domain/files/upload-records.js';
import { isInline } from '../../domain/files/upload-types.js';
import { ApiError } from '../../errors.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['uploads'];

/** Room for the form's boundaries and part headers around the file, when a Content-Length is checked up front. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** How long a redirect to the bucket (S3_PRESIGNED_REDIRECT) may be followed. */
const DIRECT_LINK_SECONDS = 300;

/**
 * What every served file carries beyond the base headers (`nosniff`): no
 * script, style, frame or plugin may run from it even if a browser were to
 * render it as a page, and pages of other origins may embed it (`<img>`).
 */
const FILE_HEADERS = {
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
  'referrer-policy': 'no-referrer',
} as const;

/** Multipart failures, raised while the form is read, as the caller's mistakes in the error shape. */
function formError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new ApiError('payload_too_large', "the file is larger than this app's maxUploadBytes");
  if (code === 'FST_FILES_LIMIT') return new ApiError('validation_failed', 'send one file per upload');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new ApiError('validation_failed', 'the form takes one file and a channelId, nothing more');
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('validation_failed', `the multipart body is malformed: ${message}`);
}

/** The form's parts as the domain reads them; a failure to parse one is the caller's 400/413. */
async function* formParts(source: AsyncIterableIterator<Multipart>): AsyncGenerator<FormPart> {
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await source.next();
    } catch (error) {
      throw formError(error);
    }
    if (next.done) return;
    const part = next.value;
    // Browsers write `"`, CR and LF in a file name as %22, %0D and %0A (the HTML form encoding); busboy leaves them so.
    if (part.type === 'file') yield { kind: 'file', name: part.fieldname, filename: part.filename.replace(/%22/g, '"').replace(/%0[DA]/gi, ' '), stream: part.file };
    else yield { kind: 'field', name: part.fieldname, value: part.value };
  }
}

/** `Content-Disposition` with the name twice: plain ASCII for old clients, and RFC 5987 UTF-8 for the rest. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The key that signs the app's links, reading the app when this process has not yet. */
async function linkKey(ctx: ServerContext, appId: string): Promise<Buffer | undefined> {
  const known = linkKeyOf(appId);
  if (known) return known.key;
  if (!(await getApp(ctx.store, appId))) return undefined;
  return linkKeyOf(appId)?.key;
}

/** The upload a link opens: 404 for a forged link or a gone upload (they look the same), 403 for an expired one. */
async function uploadOfLink(ctx: ServerContext, link: { appId: string; id: string; exp: number; sig: string }, variant: FileVariant): Promise<UploadRecord> {
  const { appId, id } = link;
  const notFound = new ApiError('upload_not_found', 'no such file, or the link is not valid');
  const key = await linkKey(ctx, appId);
  if (!key) throw notFound;
  const verdict = checkLink(key, { appId, uploadId: id, variant, exp: link.exp, sig: link.sig }, Date.now());
  if (verdict === 'forged') throw notFound;
  if (verdict === 'expired') throw new ApiError('upload_link_expired', 'this file link has expired: read the message again for a fresh one');
  const upload = await findUpload(ctx.store.db, appId, id);
  if (!upload || (variant === 'thumbnail' && upload.thumbKey === null)) throw notFound;
  return upload;
}

/** Serves an upload's bytes (or its thumbnail) with validators, ranges and the file headers. */
async function serveFile(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, upload: UploadRecord, variant: FileVariant, exp: number): Promise<FastifyReply> {
  const thumbnail = variant === 'thumbnail';
  const key = thumbnail ? (upload.thumbKey ?? '') : upload.storageKey;
  const contentType = thumbnail ? 'image/webp' : upload.mimeType;
  const etag = `"${upload.etag}${thumbnail ? '.t' : ''}"`;
  // The bytes of an upload never change; the link they were reached by is good until `exp`.
  const cacheControl = `private, max-age=${Math.max(0, exp - Math.floor(Date.now() / 1000))}, immutable`;
  const contentDisposition = disposition(thumbnail || isInline(upload.mimeType) ? 'inline' : 'attachment', thumbnail ? `${upload.name}.webp` : upload.name);
  reply.headers({ ...FILE_HEADERS, etag, 'cache-control': cacheControl });
  if (request.headers['if-none-match']?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();

  if (ctx.files.directLink) {
    const location = await ctx.files.directLink(key, { contentType, contentDisposition, cacheControl }, DIRECT_LINK_SECONDS);
    return reply.code(302).header('cache-control', 'private, no-store').header('location', location).send();
  }

  reply.header('content-type', contentType).header('content-disposition', contentDisposition);
  // A thumbnail's size is not recorded: it is small, and sent whole.
  const ifRange = request.headers['if-range'];
  const range = thumbnail || (ifRange !== undefined && ifRange !== etag) ? ({ kind: 'whole' } as const) : parseRange(request.headers.range, upload.size);
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${upload.size}`);
    throw new ApiError('range_not_satisfiable', `the file has ${upload.size} bytes`);
  }
  const body = await ctx.files.get(key, range.kind === 'part' ? range : undefined);
  if (!body) {
    request.log.error({ uploadId: upload.id, key }, 'an upload has a row but no bytes');
    throw new ApiError('upload_not_found', 'no such file');
  }
  if (!thumbnail) reply.header('accept-ranges', 'bytes');
  if (range.kind === 'part') {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${upload.size}`).header('content-length', range.end - range.start + 1);
  } else if (!thumbnail) {
    reply.header('content-length', upload.size);
  }
  return reply.send(body);
}

/** How a body that was parsed (so was not a form) is refused: as any other route refuses a body of the wrong shape. */
const NOT_A_FORM: FastifySchemaValidationError[] = [
  { instancePath: '', schemaPath: '#/type', keyword: 'type', message: 'must be multipart/form-data with the file in a part named "file"', params: {} },
];

/**
 * The multipart body is read by the handler, as a stream, and is never
 * parsed before it (so there is nothing here to validate); a body that
 * was parsed is JSON, and is refused with `validation_failed`.
 */
function formOnly(app: TypedApp): FastifySchemaCompiler<unknown> {
  return (route) => {
    if (route.httpPart !== 'body') return (app.validatorCompiler as FastifySchemaCompiler<unknown>)(route);
    // Fastify hands an unparsed body over as null.
    const validate = (body: unknown): boolean => {
      const unparsed = body === undefined || body === null;
      validate.errors = unparsed ? null : NOT_A_FORM;
      return unparsed;
    };
    validate.errors = null as FastifySchemaValidationError[] | null;
    return validate;
  };
}

/**
 * `POST /api/uploads`, `DELETE /api/uploads/:id`, and the file links
 * `GET /files/:appId/:id[/thumbnail]`. The links are public routes outside
 * `/api`: they carry their own credential (an expiring signature), so an
 * `<img src>` needs no Authorization header.
 */
export function uploadRoutes(app: TypedApp, ctx: ServerContext): void {
  // Multipart is parsed only here: every other route still answers a form with 415.
  void app.register(async (scope: TypedApp) => {
    await scope.register(multipart, { throwFileSizeLimit: true });

    scope.post(
      '/api/uploads',
      {
        config: { access: 'any' },
        validatorCompiler: formOnly(scope),
        schema: {
          tags,
          summary: 'Upload a file (multipart/form-data: file, and an optional channelId); its type is sniffed from its bytes',
          security: security.any,
          consumes: ['multipart/form-data'],
          body: UploadForm,
          response: { 201: UploadResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const caller = actorOf(request);
        // A JSON `null` passes the validation above (it reads as no body); nothing but a form gets further.
        if (!request.isMultipart()) throw new ApiError('unsupported_media_type', 'POST /api/uploads takes multipart/form-data with the file in a part named "file"');
        const maxBytes = caller.app.maxUploadBytes;
        const declared = Number(request.headers['content-length']);
        // A body declared too large is refused before a byte of it is read.
        if (Number.isFinite(declared) && declared > maxBytes + FORM_OVERHEAD_BYTES) {
          throw new ApiError('payload_too_large', `the upload is larger than this app's maxUploadBytes (${maxBytes} bytes)`);
        }
        let parts: AsyncIterableIterator<Multipart>;
        try {
          parts = request.parts({ limits: { fileSize: maxBytes + 1, files: 1, fields: 2, parts: 3, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 } });
        } catch (error) {
          // The form's own header is bad (no boundary): busboy refuses it before reading a byte.
          throw formError(error);
        }
        const upload = await receiveUpload({ store: ctx.store, files: ctx.files }, caller, formParts(parts));
        return reply.code(201).send({ upload: toWireUpload(upload) });
      },
    );

    scope.delete(
      '/api/uploads/:id',
      {
        config: { access: 'any' },
        schema: {
          tags,
          summary: 'Delete an upload that is not attached to a message (its uploader, or the app backend)',
          security: security.any,
          params: UploadParams,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteUpload({ store: ctx.store, files: ctx.files }, actorOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  });

  for (const variant of ['original', 'thumbnail'] as const) {
    app.get(
      variant === 'original' ? '/files/:appId/:id' : '/files/:appId/:id/thumbnail',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary:
            variant === 'original'
              ? 'A file, by the signed link in its attachment or upload (Range, ETag; images and media inline, everything else as a download)'
              : "A file's WebP thumbnail (longest side 512 px), by the signed link in its attachment",
          params: FileParams,
          querystring: FileQuery,
          response: {
            200: { description: 'The bytes', type: 'string', format: 'binary' },
            ...(variant === 'original' ? { 206: { description: 'The bytes of the range asked for', type: 'string', format: 'binary' } } : {}),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const link = { ...request.params, ...request.query };
        return serveFile(ctx, request, reply, await uploadOfLink(ctx, link, variant), variant, link.exp);
      },
    );
  }
}
