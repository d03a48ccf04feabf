import { Command } from './client-proto.js';
import { type Field, type MessageType, type Scalar, setOwn } from './schema.js';
import { ProtobufDecodeError, Reader, WIRE } from './wire.js';

/*
 * Client → server. A binary frame is one or more `Command`s, each preceded
 * by its length as a varint. Each is given back in the JSON framing's shape
 * ({ id, subscribe: { channel, … } }), so the gateway's command reader
 * (realtime/commands.ts) checks both framings alike. Only fields present on the wire appear, as a JSON client
 * leaves out what it does not set; proto3 cannot tell a default value from
 * an absent one, and the gateway already treats both alike.
 */

type Fields = Record<string, unknown>;

/**
 * A `bytes` field that carries JSON: its parsed value when it parses, else
 * its text when it is UTF-8, else its bytes. The checks that follow decide
 * what a value of the wrong shape means, as they do for the JSON framing.
 */
function jsonValue(reader: Reader): unknown {
  const end = reader.delimited();
  const start = reader.pos;
  const text = reader.text(end);
  if (text === undefined) return reader.copy(start, end);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function scalar(reader: Reader, kind: Scalar): unknown {
  switch (kind) {
    case 'string':
      return reader.string();
    case 'json':
      return jsonValue(reader);
    case 'bool':
      return reader.bool();
    // A uint32 is not cut to 32 bits: an id past 2^32-1 reaches the id check whole and is refused there, as in JSON.
    case 'uint32':
    case 'uint64':
      return reader.unsigned();
    case 'int32':
      return reader.signed32();
    case 'int64':
      return reader.signed64();
    case 'sint64': {
      // Zigzag: even values are the non-negative ones.
      const zigzag = reader.unsigned();
      return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
  }
}

/** A nested message, merged into `into` when the same field came earlier in the message: Protobuf's rule, not last-one-wins. */
function nested(reader: Reader, type: MessageType, into: unknown): Fields {
  const end = reader.delimited();
  const outer = reader.limit;
  reader.limit = end;
  const target = typeof into === 'object' && into !== null && !Array.isArray(into) ? (into as Fields) : {};
  decodeInto(reader, type, target);
  reader.limit = outer;
  return target;
}

/** One entry of a map field: `key = 1`, `value = 2`, either may be absent (then it is its default). */
function mapEntry(reader: Reader, value: 'string' | MessageType, target: Fields): void {
  const end = reader.delimited();
  const outer = reader.limit;
  reader.limit = end;
  let key = '';
  let entry: unknown;
  while (reader.more) {
    const tag = reader.tag();
    if (tag.number === 1 && tag.wire === WIRE.delimited) key = reader.string();
    else if (tag.number === 2 && tag.wire === WIRE.delimited) entry = value === 'string' ? reader.string() : nested(reader, value, entry);
    else if (tag.number === 1 || tag.number === 2) throw new ProtobufDecodeError('map entry with the wrong wire type');
    else reader.skip(tag.wire);
  }
  reader.limit = outer;
  setOwn(target, key, entry ?? (value === 'string' ? '' : {}));
}

function readField(reader: Reader, field: Field, target: Fields): void {
  const { kind, name } = field;
  if (typeof kind === 'string') {
    target[name] = scalar(reader, kind);
  } else if ('message' in kind) {
    target[name] = nested(reader, kind.message, target[name]);
  } else if ('repeated' in kind) {
    const list = Array.isArray(target[name]) ? (target[name] as unknown[]) : [];
    list.push(nested(reader, kind.repeated, undefined));
    target[name] = list;
  } else {
    const map = (target[name] as Fields | undefined) ?? {};
    mapEntry(reader, kind.map, map);
    target[name] = map;
  }
}

/** Reads the fields of one message up to the reader's limit; unknown fields are skipped, known ones must have their wire type. */
function decodeInto(reader: Reader, type: MessageType, target: Fields): void {
  while (reader.more) {
    const tag = reader.tag();
    const field = type.byNumber.get(tag.number);
    if (field === undefined) {
      reader.skip(tag.wire);
      continue;
    }
    if (tag.wire !== field.wire) throw new ProtobufDecodeError(`${type.name}.${field.name} with wire type ${tag.wire}`);
    readField(reader, field, target);
  }
}

/**
 * Decodes one binary frame into its commands, each in the JSON framing's shape ({ id, connect: {...} } …) so the gateway
 * validates both framings with one validator; bytes fields that carry JSON (rpc data, publish data, …) are given as parsed
 * JSON values when they parse, else as the raw string/Uint8Array; an undecodable frame throws ProtobufDecodeError.
 */
export function decodeCommands(frame: Uint8Array): unknown[] {
  const reader = new Reader(frame);
  const commands: unknown[] = [];
  while (reader.more) {
    const command: Fields = {};
    const end = reader.delimited();
    reader.limit = end;
    decodeInto(reader, Command, command);
    reader.limit = frame.byteLength;
    commands.push(command);
  }
  return commands;
}
