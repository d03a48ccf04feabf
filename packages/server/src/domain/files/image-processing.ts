import { LIMITS } from '@chatsdk/protocol';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { ApiError } from '../../errors.js';

// libvips' operation cache would keep decoded images of past uploads in memory for nothing: each file is read once.
sharp.cache(false);

/** An image's size as shown (its EXIF orientation applied), and whether it has frames. */
export interface ImageInfo {
  width: number;
  height: number;
  animated: boolean;
}

/** Options every decode of an upload takes: the pixel limit, and no tolerance for broken data. */
function decodeOptions(animated: boolean): SharpOptions {
  return { limitInputPixels: LIMITS.uploadImagePixels, failOn: 'error', animated };
}

/**
 * Reads an image's header only (nothing is decoded) and refuses one whose
 * pixels, every frame counted, pass the limit: a 50,000 × 50,000 PNG is a
 * few hundred kilobytes of file and 10 GB of pixels. sharp would refuse it
 * too when decoding (`limitInputPixels`); the header says so first, and
 * with a code of its own.
 */
export async function inspectImage(path: string): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch {
    throw new ApiError('upload_unreadable', 'the file has the signature of an image but cannot be read as one');
  }
  const { width, height } = meta;
  if (width === undefined || height === undefined) throw new ApiError('upload_unreadable', 'the image has no size');
  const frames = meta.pages ?? 1;
  const frameHeight = meta.pageHeight ?? height;
  if (width * frameHeight * frames > LIMITS.uploadImagePixels) {
    throw new ApiError('image_too_large', `the image is ${width} × ${frameHeight} pixels${frames > 1 ? ` × ${frames} frames` : ''}: at most ${LIMITS.uploadImagePixels.toLocaleString('en')} pixels are decoded`);
  }
  const shown = meta.autoOrient ?? { width, height: frameHeight };
  return { width: shown.width, height: frames > 1 ? frameHeight : shown.height, animated: frames > 1 };
}

/** The encoder of each re-encoded type: quality high enough that nobody sees the second encoding. */
function encoderFor(mimeType: string, image: Sharp): Sharp {
  switch (mimeType) {
    case 'image/jpeg':
      return image.jpeg({ quality: 90, chromaSubsampling: '4:4:4' });
    case 'image/png':
      return image.png({ compressionLevel: 6 });
    case 'image/webp':
      return image.webp({ quality: 90 });
    case 'image/avif':
      return image.avif({ quality: 70, effort: 2 });
    case 'image/tiff':
      return image.tiff({ compression: 'lzw' });
    default:
      throw new Error(`no encoder for ${mimeType}`);
  }
}

/**
 * The image as served: decoded and encoded again in its own format with the
 * orientation applied and every metadata block (EXIF, GPS, XMP, IPTC,
 * comments) left out; only the colour profile is kept, so colours do not
 * shift. Re-encoding, not stripping in place: no maintained library strips
 * every format's metadata losslessly, and a re-encode also throws away
 * whatever else a crafted file hid between its chunks.
 */
export function sanitisedImage(path: string, mimeType: string, info: ImageInfo): Sharp {
  return encoderFor(mimeType, sharp(path, decodeOptions(info.animated)).rotate().keepIccProfile());
}

/** A WebP thumbnail whose longest side is at most 512 px (never enlarged), of the first frame, oriented. */
export function thumbnailImage(path: string): Sharp {
  return sharp(path, decodeOptions(false))
    .rotate()
    .resize(LIMITS.thumbnailSize, LIMITS.thumbnailSize, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 });
}
