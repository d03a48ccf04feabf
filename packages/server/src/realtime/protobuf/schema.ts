import { WIRE, type WireType } from './wire.js';

/**
 * How a message of client.proto is described here: its fields by name (the
 * JSON framing's name, which is the proto field's name) and by number. One
 * table per message drives both the decoder and the encoder, so a field
 * number is written down once.
 */

/**
 * A scalar field's type. `json` is client.proto's `bytes` as ChatSDK fills
 * it: the UTF-8 text of a JSON value (publication data, rpc data, info…).
 */
export type Scalar = 'string' | 'bool' | 'uint32' | 'int32' | 'uint64' | 'int64' | 'sint64' | 'json';

/** A field's type: a scalar, a message, a repeated message, or a map from string keys. */
export type Kind = Scalar | { message: MessageType } | { repeated: MessageType } | { map: 'string' | MessageType };

/** One field of a message. */
export interface Field {
  readonly name: string;
  readonly number: number;
  readonly kind: Kind;
  /** The wire type its values have; another one on the wire is a malformed frame. */
  readonly wire: WireType;
}

/** A message of client.proto: its fields in number order, and looked up both ways. */
export interface MessageType {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly byNumber: ReadonlyMap<number, Field>;
  readonly byName: ReadonlyMap<string, Field>;
}

function wireOf(kind: Kind): WireType {
  if (typeof kind !== 'string') return WIRE.delimited;
  return kind === 'string' || kind === 'json' ? WIRE.delimited : WIRE.varint;
}

/** Declares a message as client.proto writes it: `{ name: [number, kind] }`. */
export function message(name: string, spec: Readonly<Record<string, readonly [number, Kind]>>): MessageType {
  const fields = Object.entries(spec)
    .map(([field, [number, kind]]): Field => ({ name: field, number, kind, wire: wireOf(kind) }))
    .sort((a, b) => a.number - b.number);
  const byNumber = new Map(fields.map((field) => [field.number, field]));
  const byName = new Map(fields.map((field) => [field.name, field]));
  // A typo in a table must fail at load, not as a frame some client cannot read.
  if (byNumber.size !== fields.length) throw new Error(`client.proto message ${name} repeats a field number`);
  return { name, fields, byNumber, byName };
}

/** Sets an own property even when the key is `__proto__`: map keys in a frame are the client's to choose. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
