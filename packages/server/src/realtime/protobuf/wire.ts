import { isUtf8 } from 'node:buffer';

/**
 * The Protobuf wire format's primitives, as far as client.proto needs them:
 * varints (up to 64 bits), length-delimited fields and tags. Fixed-width
 * fields appear nowhere in client.proto; they are only skipped.
 */

/** A frame that is not a well-formed sequence of length-delimited `Command`s: the connection cannot be read further. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** The wire types of the Protobuf encoding; 3 and 4 (groups) are not accepted, 6 and 7 do not exist. */
export const WIRE = { varint: 0, fixed64: 1, delimited: 2, fixed32: 5 } as const;

/** A wire type this codec reads. */
export type WireType = (typeof WIRE)[keyof typeof WIRE];

/** The largest field number Protobuf allows. */
const MAX_FIELD_NUMBER = 0x1fff_ffff;

const TWO_32 = 0x1_0000_0000;

/** Bytes a varint of a non-negative safe integer takes. */
export function varintSize(value: number): number {
  let size = 1;
  // Division, not shifts: offsets may pass 2^32, where bitwise operators would truncate them.
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes the varint of a non-negative safe integer at `pos` (the buffer has room) and returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[pos++] = value;
  return pos;
}

/**
 * Reads a frame's bytes. Every read checks against `limit`, the end of the
 * message being read: a nested message narrows it, so a length inside one
 * can never reach into the bytes that follow it.
 */
export class Reader {
  pos = 0;
  limit: number;
  /** The two halves of the last varint read, unsigned: a 64-bit value does not fit in one JavaScript number exactly. */
  private lo = 0;
  private hi = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    // A view, not a copy: Buffer's UTF-8 decoding is what makes string fields cheap.
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limit = this.buf.length;
  }

  /** Whether the current message has bytes left. */
  get more(): boolean {
    return this.pos < this.limit;
  }

  /** Reads a varint of up to 64 bits into `lo` and `hi`. */
  private varint(): void {
    let lo = 0;
    let hi = 0;
    // Bits 0–27: four bytes of seven bits each, all in the low half.
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = this.byte();
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) return this.keep(lo, 0);
    }
    // Bits 28–34 straddle the halves.
    let byte = this.byte();
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >> 4;
    if (byte < 0x80) return this.keep(lo, hi);
    // Bits 35–62, then a tenth byte that may hold only bit 63: more would pass 64 bits, or an eleventh byte.
    for (let shift = 3; shift < 31; shift += 7) {
      byte = this.byte();
      hi |= (byte & 0x7f) << shift;
      if (byte < 0x80) return this.keep(lo, hi);
    }
    byte = this.byte();
    if (byte > 0x01) throw new ProtobufDecodeError('varint longer than 64 bits');
    this.keep(lo, hi | (byte << 31));
  }

  private keep(lo: number, hi: number): void {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  private byte(): number {
    if (this.pos >= this.limit) throw new ProtobufDecodeError('truncated varint');
    return this.buf[this.pos++] ?? 0;
  }

  /** A varint as an unsigned number: exact up to 2^53, and past it a number above 2^53 that checks of safe integers refuse. */
  unsigned(): number {
    this.varint();
    return this.hi * TWO_32 + this.lo;
  }

  /** A 64-bit two's-complement varint (int64). */
  signed64(): number {
    this.varint();
    if (this.hi < 0x8000_0000) return this.hi * TWO_32 + this.lo;
    return -((~this.hi >>> 0) * TWO_32 + (~this.lo >>> 0) + 1);
  }

  /** An int32: its low 32 bits, signed, as Protobuf defines it (negative ones arrive sign-extended to ten bytes). */
  signed32(): number {
    this.varint();
    return this.lo | 0;
  }

  /** A bool: any non-zero varint is true. */
  bool(): boolean {
    this.varint();
    return (this.lo | this.hi) !== 0;
  }

  /** A field's tag: its number and wire type. */
  tag(): { number: number; wire: WireType } {
    this.varint();
    const number = this.lo >>> 3;
    const wire = this.lo & 0x07;
    if (this.hi !== 0 || number === 0 || number > MAX_FIELD_NUMBER) throw new ProtobufDecodeError('invalid field number');
    if (wire !== WIRE.varint && wire !== WIRE.fixed64 && wire !== WIRE.delimited && wire !== WIRE.fixed32) {
      throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
    }
    return { number, wire };
  }

  /** Reads a length prefix and returns where the value ends; the value starts at `pos`. */
  delimited(): number {
    const length = this.unsigned();
    if (length > this.limit - this.pos) throw new ProtobufDecodeError('length past the end of the message');
    return this.pos + length;
  }

  /** A string field: it must be UTF-8, as proto3 requires (a text frame of the JSON framing is checked the same way). */
  string(): string {
    const end = this.delimited();
    const text = this.text(end);
    if (text === undefined) throw new ProtobufDecodeError('string field is not UTF-8');
    return text;
  }

  /** The value's bytes up to `end` as UTF-8 text, or undefined if they are not UTF-8; `pos` moves to `end` either way. */
  text(end: number): string | undefined {
    const start = this.pos;
    this.pos = end;
    const view = this.buf.subarray(start, end);
    return isUtf8(view) ? view.toString('utf8') : undefined;
  }

  /** A copy of the bytes from `start` to `end`: the frame's buffer belongs to the socket. */
  copy(start: number, end: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(start, end));
  }

  /** Steps over a field this codec does not read, whatever its wire type. */
  skip(wire: WireType): void {
    switch (wire) {
      case WIRE.varint:
        this.varint();
        return;
      case WIRE.delimited:
        this.pos = this.delimited();
        return;
      case WIRE.fixed64:
        return this.advance(8);
      case WIRE.fixed32:
        return this.advance(4);
    }
  }

  private advance(bytes: number): void {
    if (bytes > this.limit - this.pos) throw new ProtobufDecodeError('fixed-width field past the end of the message');
    this.pos += bytes;
  }
}

/**
 * A growable output buffer. A nested message's length is known only once it
 * is written, so `fork` leaves one byte for it and `ldelim` moves the
 * message right in the rare case its length needs more.
 */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A varint of a non-negative safe integer. */
  varint(value: number): void {
    this.ensure(10);
    this.pos = writeVarint(this.buf, this.pos, value);
  }

  /** A varint of a 64-bit value given as its unsigned bits (negative int32/int64, zigzagged sint64). */
  varint64(bits: bigint): void {
    this.ensure(10);
    while (bits >= 0x80n) {
      this.buf[this.pos++] = Number(bits & 0x7fn) | 0x80;
      bits >>= 7n;
    }
    this.buf[this.pos++] = Number(bits);
  }

  /** A field's tag. */
  tag(number: number, wire: WireType): void {
    this.varint(number * 8 + wire);
  }

  /** A length-delimited UTF-8 string. */
  string(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(text, this.pos, length, 'utf8');
  }

  /** Length-delimited bytes. */
  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited value; returns what `ldelim` needs. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the value `fork` started, writing its length in front of it. */
  ldelim(start: number): void {
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    writeVarint(this.buf, start, length);
  }

  /** The bytes written, in a buffer of their own (the working buffer is usually larger). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
