import { Reply } from './client-proto.js';
import type { Field, MessageType, Scalar } from './schema.js';
import { WIRE, Writer } from './wire.js';

/*
 * Server → client. A reply or push is given in the JSON framing's shape, the
 * very object the gateway would JSON.stringify, and written as one
 * length-delimited `Reply`. Scalars at their proto3 default (0, false, "")
 * are left out, as every proto3 encoder does: the client reads the same
 * value either way. A message present in the object is always written, even
 * empty: `{ unsubscribe: {} }` is a reply because its field is there.
 *
 * The objects are the gateway's own, so a value of the wrong type or a key
 * client.proto has no field for is a bug in the server: it throws rather
 * than dropping data the JSON framing would have carried.
 */

type Fields = Record<string, unknown>;

const TWO_64 = 1n << 64n;

function fail(path: string, expected: string, value: unknown): never {
  throw new TypeError(`protobuf reply: ${path} should be ${expected}, got ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) fail(path, `an integer in [${min}, ${max}]`, value);
  return value;
}

/** A `bytes` field that carries JSON: bytes as they are, any other value as its JSON text. */
function jsonBytes(value: unknown, path: string): Uint8Array | string {
  if (value instanceof Uint8Array) return value;
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) fail(path, 'a JSON value', value);
  return text;
}

function writeScalar(writer: Writer, field: Field, kind: Scalar, value: unknown, path: string): void {
  const { number, wire } = field;
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') fail(path, 'a string', value);
      if (value === '') return;
      writer.tag(number, wire);
      return writer.string(value);
    case 'json': {
      const bytes = jsonBytes(value, path);
      if (bytes.length === 0) return;
      writer.tag(number, wire);
      return typeof bytes === 'string' ? writer.string(bytes) : writer.bytes(bytes);
    }
    case 'bool':
      if (typeof value !== 'boolean') fail(path, 'a boolean', value);
      if (!value) return;
      writer.tag(number, wire);
      return writer.varint(1);
    case 'uint32':
    case 'uint64': {
      const n = integer(value, path, 0, kind === 'uint32' ? 0xffff_ffff : Number.MAX_SAFE_INTEGER);
      if (n === 0) return;
      writer.tag(number, wire);
      return writer.varint(n);
    }
    case 'int32':
    case 'int64': {
      const n = kind === 'int32' ? integer(value, path, -0x8000_0000, 0x7fff_ffff) : integer(value, path, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (n === 0) return;
      writer.tag(number, wire);
      // Negative values are their 64-bit two's complement, ten bytes long, for int32 too.
      return n > 0 ? writer.varint(n) : writer.varint64(TWO_64 + BigInt(n));
    }
    case 'sint64': {
      const n = integer(value, path, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (n === 0) return;
      writer.tag(number, wire);
      // Zigzag in BigInt: 2|n| passes 2^53 for the largest safe integers.
      const big = BigInt(n);
      return writer.varint64(big >= 0n ? big * 2n : -big * 2n - 1n);
    }
  }
}

function writeNested(writer: Writer, field: Field, type: MessageType, value: unknown, path: string): void {
  if (!isFields(value)) fail(path, `an object (${type.name})`, value);
  writer.tag(field.number, field.wire);
  const start = writer.fork();
  writeMessage(writer, type, value, path);
  writer.ldelim(start);
}

/** A map entry: `key = 1`, `value = 2`, both always written, as protobufjs and protobuf-go write them. */
function writeMapEntry(writer: Writer, field: Field, valueType: 'string' | MessageType, key: string, value: unknown, path: string): void {
  writer.tag(field.number, field.wire);
  const start = writer.fork();
  writer.tag(1, WIRE.delimited);
  writer.string(key);
  if (valueType === 'string') {
    if (typeof value !== 'string') fail(path, 'a string', value);
    writer.tag(2, WIRE.delimited);
    writer.string(value);
  } else {
    if (!isFields(value)) fail(path, `an object (${valueType.name})`, value);
    writer.tag(2, WIRE.delimited);
    const inner = writer.fork();
    writeMessage(writer, valueType, value, path);
    writer.ldelim(inner);
  }
  writer.ldelim(start);
}

function writeField(writer: Writer, field: Field, value: unknown, path: string): void {
  const { kind } = field;
  if (typeof kind === 'string') return writeScalar(writer, field, kind, value, path);
  if ('message' in kind) return writeNested(writer, field, kind.message, value, path);
  if ('repeated' in kind) {
    if (!Array.isArray(value)) fail(path, `an array (${kind.repeated.name})`, value);
    value.forEach((item: unknown, index) => writeNested(writer, field, kind.repeated, item, `${path}[${index}]`));
    return;
  }
  if (!isFields(value)) fail(path, 'an object (map)', value);
  for (const [key, entry] of Object.entries(value)) writeMapEntry(writer, field, kind.map, key, entry, `${path}.${key}`);
}

function writeMessage(writer: Writer, type: MessageType, value: Fields, path: string): void {
  for (const key of Object.keys(value)) {
    if (!type.byName.has(key) && value[key] !== undefined) throw new TypeError(`protobuf reply: ${path}.${key} has no field in client.proto's ${type.name}`);
  }
  // Field-number order, as protoc's encoders write: the bytes do not depend on the order of the object's keys.
  for (const field of type.fields) {
    const fieldValue = value[field.name];
    // JSON data may be null (a JSON value); anywhere else null means absent, as in protobuf's JSON mapping.
    if (fieldValue === undefined || (fieldValue === null && field.kind !== 'json')) continue;
    writeField(writer, field, fieldValue, `${path}.${field.name}`);
  }
}

/**
 * Encodes one reply or push, given in the JSON framing's shape (exactly the objects the gateway JSON.stringify's), as one
 * varint-length-delimited Reply; JSON values in bytes fields (publication data, rpc data, info) are written as their JSON
 * text in UTF-8.
 */
export function encodeReply(reply: object): Buffer {
  const writer = new Writer();
  const start = writer.fork();
  writeMessage(writer, Reply, reply as Fields, 'reply');
  writer.ldelim(start);
  return writer.finish();
}
