import type { UploadKind } from '@chatsdk/protocol';
import { ALL_UPLOAD_TYPES } from '../auth/apps.js';

/** What the bytes of a file whose type nothing recognises are served as: never text, never HTML. */
export const UNKNOWN_TYPE = 'application/octet-stream';

/**
 * Types a browser may show inline from our origin without running anything:
 * raster images, and audio and video its media elements play. Everything
 * else (HTML, SVG, XML, PDF, scripts, unknown bytes) is served as an
 * attachment, so it is downloaded, never rendered as a page of this origin.
 */
const INLINE: Record<string, UploadKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'image/avif': 'image',
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/ogg': 'video',
  'video/quicktime': 'video',
  'video/x-m4v': 'video',
  'audio/mpeg': 'audio',
  'audio/ogg': 'audio',
  'audio/wav': 'audio',
  'audio/flac': 'audio',
  'audio/aac': 'audio',
  'audio/mp4': 'audio',
  'audio/x-m4a': 'audio',
};

/**
 * Images that are decoded for their size and a thumbnail, and re-encoded
 * without their metadata (EXIF with its GPS position, XMP, comments) for
 * serving: the colour profile is kept, the orientation applied. GIF is
 * decoded but served as uploaded: it has no EXIF, and re-encoding an
 * animation would cost more than it protects.
 */
const DECODED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff', 'image/gif']);
const REENCODED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff']);

/**
 * Programs, refused under the all-types wildcard: an app that wants them
 * must name each type in `allowedUploadTypes`. Scripts are text, which no
 * sniffer tells from other text; they arrive as `application/octet-stream`.
 */
const EXECUTABLES = new Set([
  'application/x-msdownload',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-msi',
  'application/vnd.android.package-archive',
  'application/java-archive',
  'application/java-vm',
  'application/wasm',
  'application/x-apple-diskimage',
  'application/x-deb',
  'application/x-rpm',
]);

/** Whether the image type is decoded (for its size and thumbnail). */
export function isDecodedImage(mimeType: string): boolean {
  return DECODED.has(mimeType);
}

/** Whether the image type is re-encoded without metadata before it is served. */
export function isReencodedImage(mimeType: string): boolean {
  return REENCODED.has(mimeType);
}

/** Whether files of this type are shown inline; the rest are served as attachments. */
export function isInline(mimeType: string): boolean {
  return Object.hasOwn(INLINE, mimeType);
}

/** The attachment type an upload of this sniffed type makes. */
export function kindOf(mimeType: string): UploadKind {
  return INLINE[mimeType] ?? 'file';
}

/** Whether the app's `allowedUploadTypes` take `mimeType`: an exact entry, `type/*`, or the wildcard for anything but a program. */
export function uploadTypeAllowed(allowed: readonly string[], mimeType: string): boolean {
  if (allowed.includes(mimeType)) return true;
  if (allowed.includes(`${mimeType.split('/')[0]}/*`)) return !EXECUTABLES.has(mimeType);
  return allowed.includes(ALL_UPLOAD_TYPES) && !EXECUTABLES.has(mimeType);
}
