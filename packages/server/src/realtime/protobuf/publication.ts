import { varintSize, writeVarint } from './wire.js';

/*
 * The hot path: a publication push is built once per event and the same
 * Buffer goes to every protobuf subscriber, so it is laid out directly, one
 * allocation and no JSON.parse:
 *
 *   Reply   { push = 4 }
 *   Push    { channel = 2, pub = 4 }
 *   Publication { data = 4 (the event's JSON text), offset = 6 }
 *
 * Field numbers are client.proto's, the same as the Reply, Push and
 * Publication tables in client-proto.ts (the tests decode this with the
 * client's own code).
 */

/** Tags: field number × 8 + wire type 2 (length-delimited) or 0 (varint). Each fits in one byte. */
const REPLY_PUSH = (4 << 3) | 2;
const PUSH_CHANNEL = (2 << 3) | 2;
const PUSH_PUB = (4 << 3) | 2;
const PUBLICATION_DATA = (4 << 3) | 2;
const PUBLICATION_OFFSET = (6 << 3) | 0;

/** A length-delimited field's size: tag, length, value. */
const delimitedSize = (length: number): number => 1 + varintSize(length) + length;

/** The length-delimited Reply of a publication push, built from the event's JSON text without parsing it: the hub calls this once per event for every protobuf subscriber. */
export function encodePublicationPush(channel: string, json: string, offset: number | undefined): Buffer {
  if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) throw new TypeError(`publication offset ${offset} is not a stream offset`);
  const channelLength = Buffer.byteLength(channel, 'utf8');
  const jsonLength = Buffer.byteLength(json, 'utf8');
  // proto3 leaves defaults out: an empty channel, and offset 0 (a transient event has none; the client reads 0 either way).
  const hasOffset = offset !== undefined && offset > 0;
  const publication = delimitedSize(jsonLength) + (hasOffset ? 1 + varintSize(offset) : 0);
  const push = (channelLength > 0 ? delimitedSize(channelLength) : 0) + delimitedSize(publication);
  const reply = delimitedSize(push);
  const frame = Buffer.allocUnsafe(varintSize(reply) + reply);

  let pos = writeVarint(frame, 0, reply);
  frame[pos++] = REPLY_PUSH;
  pos = writeVarint(frame, pos, push);
  if (channelLength > 0) {
    frame[pos++] = PUSH_CHANNEL;
    pos = writeVarint(frame, pos, channelLength);
    pos += frame.write(channel, pos, channelLength, 'utf8');
  }
  frame[pos++] = PUSH_PUB;
  pos = writeVarint(frame, pos, publication);
  frame[pos++] = PUBLICATION_DATA;
  pos = writeVarint(frame, pos, jsonLength);
  pos += frame.write(json, pos, jsonLength, 'utf8');
  if (hasOffset) {
    frame[pos++] = PUBLICATION_OFFSET;
    pos = writeVarint(frame, pos, offset);
  }
  return frame;
}
