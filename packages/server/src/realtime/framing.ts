import { type ParsedLine, parseCommand, parseLine } from './commands.js';
import { decodeCommands, encodePublicationPush, encodeReply, ProtobufDecodeError } from './protobuf/index.js';
import type { ReplyError } from './protocol.js';
import type { Frame } from './write-queue.js';

/** The two framings of the Centrifugo client protocol. */
export type FramingName = 'json' | 'protobuf';

/**
 * A publication as the hub or the personal streams hold it: its JSON once,
 * and its frame in each framing once it has been built, shared by every
 * receiver of that framing.
 */
export interface Publication {
  readonly channelId: string;
  readonly json: string;
  readonly offset: number | undefined;
  /** The JSON framing's `{"push":…}` frame. */
  readonly frame: Frame;
  /** The Protobuf framing's Reply, built on first use. */
  protobuf?: Buffer;
}

/** The JSON `{"push":…}` text of a publication, by concatenation: the event's JSON is never parsed again. */
export function jsonPublicationFrame(channelId: string, json: string, offset: number | undefined): string {
  const position = offset === undefined ? '' : `,"offset":${offset}`;
  return `{"push":{"channel":${JSON.stringify(channelId)},"pub":{"data":${json}${position}}}}`;
}

/**
 * How one session's messages are written and read. Replies and pushes are
 * given in the JSON framing's shape; the Protobuf framing encodes that same
 * shape, so the gateway builds every message once, whatever the framing.
 */
export interface Framing {
  readonly name: FramingName;
  /** The commands of one message from the client, each read and checked. */
  read(data: Buffer | string): ParsedLine[];
  /** `{"id":…,"<method>":result}`. */
  reply(id: number, method: string, result: unknown): Frame;
  /** `{"id":…,"error":…}`. */
  error(id: number, error: ReplyError): Frame;
  /** Any other reply or push, in the JSON shape. */
  message(message: object): Frame;
  /** The server's ping: an empty reply. */
  readonly ping: Frame;
  /** A publication's frame in this framing, built once per event. */
  publication(publication: Publication): Frame;
}

/** Newline-separated JSON commands and replies. */
export const JSON_FRAMING: Framing = {
  name: 'json',
  read(data) {
    const parsed: ParsedLine[] = [];
    for (const line of (typeof data === 'string' ? data : data.toString('utf8')).split('\n')) {
      if (line.trim() !== '') parsed.push(parseLine(line));
    }
    return parsed;
  },
  // `id` is a checked unsigned integer (commands.ts), so it goes into the text as it is.
  reply: (id, method, result) => `{"id":${id},${JSON.stringify(method)}:${JSON.stringify(result)}}`,
  error: (id, error) => JSON.stringify({ id, error }),
  message: (message) => JSON.stringify(message),
  ping: '{}',
  publication: (publication) => publication.frame,
};

const PROTOBUF_PING = encodeReply({});

/** Varint-length-delimited Protobuf `Command`s and `Reply`s, as `client.proto` defines them. */
export const PROTOBUF_FRAMING: Framing = {
  name: 'protobuf',
  read(data) {
    let commands: unknown[];
    try {
      commands = decodeCommands(typeof data === 'string' ? Buffer.from(data) : data);
    } catch (error) {
      if (error instanceof ProtobufDecodeError) return [{ kind: 'undecodable' }];
      throw error;
    }
    return commands.map(parseCommand);
  },
  reply: (id, method, result) => encodeReply({ id, [method]: result }),
  error: (id, error) => encodeReply({ id, error }),
  message: (message) => encodeReply(message),
  ping: PROTOBUF_PING,
  publication(publication) {
    let frame = publication.protobuf;
    if (!frame) {
      frame = encodePublicationPush(publication.channelId, publication.json, publication.offset);
      publication.protobuf = frame;
    }
    return frame;
  },
};
