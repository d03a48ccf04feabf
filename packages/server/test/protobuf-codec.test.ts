import { Centrifuge } from 'centrifuge/build/protobuf';
import { describe, expect, it, vi } from 'vitest';
import { parseLine } from '../src/realtime/commands.js';
import { decodeCommands, encodePublicationPush, encodeReply, ProtobufDecodeError } from '../src/realtime/protobuf/index.js';

/*
 * The codec against the real client's own: `centrifuge/build/protobuf`
 * bundles protobufjs static code generated from client.proto. Commands are
 * encoded by it and decoded by ours; replies are encoded by ours and decoded
 * by it. A wrong field number shows up as a missing or misplaced field.
 */

/** The ProtobufCodec the protobuf build installs in every client: its encodeCommands and decodeReplies are what a browser runs. */
interface ClientCodec {
  name(): string;
  encodeCommands(commands: readonly object[]): Uint8Array;
  encodeReplies(replies: readonly object[]): Uint8Array;
  decodeReplies(data: Uint8Array): object[];
}

const codec = (new Centrifuge('ws://localhost/connection/websocket', {}) as unknown as { _codec: ClientCodec })._codec;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A 64-bit value as protobufjs decodes it when `long` is installed. */
interface Long {
  toNumber(): number;
}
const isLong = (value: object): value is Long => typeof (value as Partial<Long>).toNumber === 'function';

/** A map or repeated field protobufjs's constructor starts empty: not on the wire unless it has entries. */
const isEmptyCollection = (value: unknown): boolean =>
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0);

/**
 * Plain values of a decoded message: its own properties (protobufjs sets the
 * fields found on the wire; scalar defaults live on the prototype), longs as
 * numbers, bytes as their UTF-8 text so JSON data compares byte for byte. An
 * empty message is kept: it is an instance of its class, not a plain object.
 */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    if (isLong(value)) return value.toNumber();
    const fields = Object.entries(value).filter(([, inner]) => !isEmptyCollection(inner));
    return Object.fromEntries(fields.map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}

/** What the client reads from a frame: its replies, with only the fields on the wire. */
function clientReads(frame: Uint8Array): unknown[] {
  return codec.decodeReplies(frame).map(plain);
}

const clientSends = (...commands: object[]): Uint8Array => codec.encodeCommands(commands);

const BIG_OFFSET = 2 ** 40 + 5;
const MAX_ID = 4294967295;

describe('commands the client sends decode to the JSON framing’s shape', () => {
  it.each<[string, object, object]>([
    [
      'connect',
      { id: 1, connect: { token: 'tök', data: bytes('{"x":[1,2]}'), name: 'js', version: '5.7.4', subs: { 'ch 1': { recover: true, offset: 7, epoch: 'e' } }, headers: { 'x-a': 'b' }, flag: 1 } },
      { id: 1, connect: { token: 'tök', data: { x: [1, 2] }, name: 'js', version: '5.7.4', subs: { 'ch 1': { recover: true, offset: 7, epoch: 'e' } }, headers: { 'x-a': 'b' }, flag: 1 } },
    ],
    ['subscribe', { id: 2, subscribe: { channel: 'room', recoverable: true, flag: 1 } }, { id: 2, subscribe: { channel: 'room', recoverable: true, flag: 1 } }],
    [
      'subscribe with recovery',
      { id: 3, subscribe: { channel: 'room', recover: true, offset: BIG_OFFSET, epoch: 'E1', token: 't', data: bytes('{"k":true}'), positioned: true, join_leave: true, delta: 'fossil' } },
      { id: 3, subscribe: { channel: 'room', recover: true, offset: BIG_OFFSET, epoch: 'E1', token: 't', data: { k: true }, positioned: true, join_leave: true, delta: 'fossil' } },
    ],
    ['unsubscribe', { id: 4, unsubscribe: { channel: 'room' } }, { id: 4, unsubscribe: { channel: 'room' } }],
    ['publish', { id: 5, publish: { channel: 'room', data: bytes('{"text":"hi"}') } }, { id: 5, publish: { channel: 'room', data: { text: 'hi' } } }],
    ['presence', { id: 6, presence: { channel: 'room' } }, { id: 6, presence: { channel: 'room' } }],
    ['presence_stats', { id: 7, presence_stats: { channel: 'room' } }, { id: 7, presence_stats: { channel: 'room' } }],
    [
      'history',
      { id: 8, history: { channel: 'room', limit: 50, since: { offset: BIG_OFFSET, epoch: 'E1' }, reverse: true } },
      { id: 8, history: { channel: 'room', limit: 50, since: { offset: BIG_OFFSET, epoch: 'E1' }, reverse: true } },
    ],
    ['history with a negative limit', { id: 9, history: { channel: 'room', limit: -1 } }, { id: 9, history: { channel: 'room', limit: -1 } }],
    [
      'rpc',
      { id: 10, rpc: { method: 'typing', data: bytes('{"channel":"room","typing":true}') } },
      { id: 10, rpc: { method: 'typing', data: { channel: 'room', typing: true } } },
    ],
    ['refresh', { id: 11, refresh: { token: 'new' } }, { id: 11, refresh: { token: 'new' } }],
    ['sub_refresh', { id: 12, sub_refresh: { channel: 'room', token: 'st' } }, { id: 12, sub_refresh: { channel: 'room', token: 'st' } }],
    ['send', { send: { data: bytes('[1,"two",null]') } }, { send: { data: [1, 'two', null] } }],
    ['the pong (an empty command)', {}, {}],
    ['the largest id', { id: MAX_ID, presence: { channel: 'r' } }, { id: MAX_ID, presence: { channel: 'r' } }],
    ['unicode strings', { id: 13, subscribe: { channel: 'канал:🎉', epoch: '纪元' } }, { id: 13, subscribe: { channel: 'канал:🎉', epoch: '纪元' } }],
  ])('%s', (_name, sent, expected) => {
    expect(decodeCommands(clientSends(sent))).toEqual([expected]);
  });

  it('gives every method to the JSON framing’s reader as a command it serves or answers', () => {
    const frame = clientSends(
      { id: 1, connect: { token: 't' } },
      { id: 2, subscribe: { channel: 'a', recover: true, offset: 3, epoch: 'e' } },
      { id: 3, history: { channel: 'a', limit: 2, since: { offset: 1, epoch: 'e' } } },
      { id: 4, rpc: { method: 'typing', data: bytes('{"channel":"a","typing":false}') } },
      { id: 5, presence_stats: { channel: 'a' } },
      {},
    );
    const parsed = decodeCommands(frame).map((command) => parseLine(JSON.stringify(command)));
    expect(parsed).toEqual([
      { kind: 'command', id: 1, command: { method: 'connect', request: { token: 't' } } },
      { kind: 'command', id: 2, command: { method: 'subscribe', request: { channel: 'a', recover: true, offset: 3, epoch: 'e' } } },
      { kind: 'command', id: 3, command: { method: 'history', request: { channel: 'a', limit: 2, since: { offset: 1, epoch: 'e' } } } },
      { kind: 'command', id: 4, command: { method: 'typing', request: { channel: 'a', typing: false } } },
      { kind: 'command', id: 5, command: { method: 'presence_stats', request: { channel: 'a' } } },
      { kind: 'pong' },
    ]);
  });

  it('decodes several commands of one frame in order', () => {
    const commands = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, subscribe: { channel: `c${i}`, offset: 2 ** 33 + i } }));
    expect(decodeCommands(clientSends(...commands))).toEqual(commands);
  });

  it('gives bytes that are not JSON as text, and bytes that are not UTF-8 as bytes', () => {
    const raw = new Uint8Array([0xff, 0x00, 0xfe]);
    const [text, binary, empty] = decodeCommands(
      clientSends({ id: 1, rpc: { method: 'm', data: bytes('not json {') } }, { id: 2, publish: { channel: 'c', data: raw } }, { id: 3, rpc: { method: 'm', data: new Uint8Array() } }),
    );
    expect(text).toEqual({ id: 1, rpc: { method: 'm', data: 'not json {' } });
    expect(binary).toEqual({ id: 2, publish: { channel: 'c', data: raw } });
    expect((binary as { publish: { data: unknown } }).publish.data).toBeInstanceOf(Uint8Array);
    expect(empty).toEqual({ id: 3, rpc: { method: 'm', data: '' } });
  });

  it('keeps ids and offsets past 32 bits whole, and past 2^53 unsafe so the reader refuses them', () => {
    const [big, huge] = decodeCommands(
      clientSends({ id: MAX_ID, subscribe: { channel: 'c', offset: Number.MAX_SAFE_INTEGER } }, { id: 1, subscribe: { channel: 'c', offset: '18446744073709551615' } }),
    );
    expect(big).toEqual({ id: MAX_ID, subscribe: { channel: 'c', offset: Number.MAX_SAFE_INTEGER } });
    const offset = (huge as { subscribe: { offset: number } }).subscribe.offset;
    expect(Number.isSafeInteger(offset)).toBe(false);
    expect(parseLine(JSON.stringify(huge))).toEqual({ kind: 'malformed', id: 1, method: 'subscribe' });
  });

  it('hands an id past 32 bits on whole, so the id check refuses it as in JSON', () => {
    // id 2^32 as a varint: the client cannot encode it, a hostile peer can.
    const frame = Uint8Array.from([6, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10]);
    const [command] = decodeCommands(frame);
    expect(command).toEqual({ id: 2 ** 32 });
    expect(parseLine(JSON.stringify(command))).toEqual({ kind: 'undecodable' });
  });

  it('skips unknown and reserved fields of every wire type', () => {
    const known = clientSends({ id: 7, unsubscribe: { channel: 'c' } });
    // Reserved Command fields 2 (varint) and 3 (bytes), an unknown fixed64 (20) and fixed32 (21).
    const extra = [0x10, 0x05, 0x1a, 0x02, 0x61, 0x62, 0xa1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xad, 0x01, 1, 2, 3, 4];
    const body = [...known.subarray(1), ...extra];
    expect(decodeCommands(Uint8Array.from([body.length, ...body]))).toEqual([{ id: 7, unsubscribe: { channel: 'c' } }]);
  });

  it('merges a message field given twice, as Protobuf does', () => {
    const a = clientSends({ id: 1, subscribe: { channel: 'c', epoch: 'e' } });
    const b = clientSends({ subscribe: { offset: 9 } });
    const body = [...a.subarray(1), ...b.subarray(1)];
    expect(decodeCommands(Uint8Array.from([body.length, ...body]))).toEqual([{ id: 1, subscribe: { channel: 'c', epoch: 'e', offset: 9 } }]);
  });

  it('keeps a `__proto__` map key as an own key', () => {
    const [command] = decodeCommands(clientSends({ id: 1, connect: { headers: JSON.parse('{"__proto__":"x","ok":"y"}') as object } })) as [{ connect: { headers: object } }];
    expect(Object.getPrototypeOf(command.connect.headers)).toBe(Object.prototype);
    expect(Object.entries(command.connect.headers)).toEqual([
      ['__proto__', 'x'],
      ['ok', 'y'],
    ]);
  });

  it('gives an empty frame no commands', () => {
    expect(decodeCommands(new Uint8Array())).toEqual([]);
  });
});

describe('malformed frames throw ProtobufDecodeError', () => {
  const valid = clientSends({ id: 1, connect: { token: 'tok', subs: { a: { offset: 300 } } } }, { id: 2, subscribe: { channel: 'chan' } });

  it.each<[string, number[]]>([
    ['a truncated length varint', [0x80]],
    ['a truncated varint inside', [2, 0x08, 0x80]],
    ['a length past the end of the frame', [5, 0x08, 0x01]],
    ['a nested length past the end of its command', [4, 0x2a, 0x05, 0x0a, 0x01, 0x61, 0x00, 0x00, 0x00]],
    ['a varint longer than ten bytes', [12, 0x08, ...Array<number>(10).fill(0x80), 0x00]],
    ['a varint that overflows 64 bits', [11, 0x08, ...Array<number>(9).fill(0xff), 0x02]],
    ['a known field with the wrong wire type (id as bytes)', [3, 0x0a, 0x01, 0x41]],
    ['a message field as a varint', [2, 0x28, 0x01]],
    ['a string field as a varint', [4, 0x2a, 0x02, 0x08, 0x01]],
    ['a start group', [2, 0x1b, 0x1c]],
    ['wire type 7', [2, 0x0f, 0x00]],
    ['field number 0', [2, 0x00, 0x01]],
    ['a fixed64 cut short', [5, 0xa1, 0x01, 1, 2, 3]],
    ['a string that is not UTF-8', [5, 0x2a, 0x03, 0x0a, 0x01, 0xff]],
    ['a map entry key with the wrong wire type', [6, 0x22, 0x04, 0x32, 0x02, 0x08, 0x01]],
  ])('%s', (_name, frame) => {
    expect(() => decodeCommands(Uint8Array.from(frame))).toThrow(ProtobufDecodeError);
  });

  it('every cut of a valid frame decodes whole commands or throws ProtobufDecodeError', () => {
    const first = valid[0] ?? 0;
    for (let end = 0; end <= valid.length; end++) {
      const cut = valid.subarray(0, end);
      if (end === 0 || end === first + 1 || end === valid.length) expect(() => decodeCommands(cut)).not.toThrow();
      else expect(() => decodeCommands(cut), `cut at ${end}`).toThrow(ProtobufDecodeError);
    }
  });

  it('garbage never crashes: it decodes or throws ProtobufDecodeError', () => {
    let seed = 42;
    // Park–Miller: the same bytes on every run, so a failure can be replayed.
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 256;
    let decoded = 0;
    for (let round = 0; round < 5000; round++) {
      // Half pure noise, half a valid frame with a few bytes changed: noise rarely gets past the first length.
      const frame = round % 2 === 0 ? Uint8Array.from({ length: 1 + (round % 64) }, () => random()) : Uint8Array.from(valid);
      if (round % 2 === 1) for (let i = 0; i < 3; i++) frame[Math.floor((random() / 256) * frame.length)] = random();
      try {
        decodeCommands(frame);
        decoded++;
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufDecodeError);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('replies the gateway builds, as the client reads them', () => {
  const publications = [
    { data: { type: 'message.new', text: 'é🎉' }, offset: BIG_OFFSET },
    { data: { type: 'reaction.new' }, offset: BIG_OFFSET + 1 },
  ];
  const read = [
    { data: '{"type":"message.new","text":"é🎉"}', offset: BIG_OFFSET },
    { data: '{"type":"reaction.new"}', offset: BIG_OFFSET + 1 },
  ];

  it.each<[string, object, object]>([
    [
      'connect, as the gateway sends it',
      { id: 1, connect: { client: 'c-1', version: '0.1.0', ping: 25, pong: true, expires: true, ttl: 86399, subs: { '#u1': { recoverable: false } } } },
      { id: 1, connect: { client: 'c-1', version: '0.1.0', ping: 25, pong: true, expires: true, ttl: 86399, subs: { '#u1': {} } } },
    ],
    [
      'connect with recoverable subs',
      { id: 2, connect: { client: 'c', version: 'v', data: { hello: 1 }, subs: { ch: { recoverable: true, epoch: 'E', offset: 12, publications } } } },
      { id: 2, connect: { client: 'c', version: 'v', data: '{"hello":1}', subs: { ch: { recoverable: true, epoch: 'E', offset: 12, publications: read } } } },
    ],
    ['error', { id: 3, error: { code: 100, message: 'internal server error', temporary: true } }, { id: 3, error: { code: 100, message: 'internal server error', temporary: true } }],
    ['error without temporary', { id: MAX_ID, error: { code: 103, message: 'permission denied' } }, { id: MAX_ID, error: { code: 103, message: 'permission denied' } }],
    ['subscribe', { id: 4, subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET } }, { id: 4, subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET } }],
    [
      'subscribe with recovery',
      { id: 5, subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET + 1, recovered: true, was_recovering: true, publications, positioned: true } },
      { id: 5, subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET + 1, recovered: true, was_recovering: true, publications: read, positioned: true } },
    ],
    [
      'subscribe, recovery failed',
      { id: 6, subscribe: { recoverable: true, epoch: 'E', offset: 9, recovered: false, was_recovering: true, publications: [] } },
      { id: 6, subscribe: { recoverable: true, epoch: 'E', offset: 9, was_recovering: true } },
    ],
    ['history', { id: 7, history: { publications, epoch: 'E', offset: BIG_OFFSET + 1 } }, { id: 7, history: { publications: read, epoch: 'E', offset: BIG_OFFSET + 1 } }],
    [
      'presence',
      { id: 8, presence: { presence: { 'c-1': { client: 'c-1', user: 'ünïcode' }, 'c-2': { client: 'c-2', user: 'u2', conn_info: { n: 1 } } } } },
      { id: 8, presence: { presence: { 'c-1': { client: 'c-1', user: 'ünïcode' }, 'c-2': { client: 'c-2', user: 'u2', conn_info: '{"n":1}' } } } },
    ],
    ['presence_stats', { id: 9, presence_stats: { num_clients: 3, num_users: 2 } }, { id: 9, presence_stats: { num_clients: 3, num_users: 2 } }],
    ['rpc', { id: 10, rpc: { data: {} } }, { id: 10, rpc: { data: '{}' } }],
    ['refresh', { id: 11, refresh: { client: 'c', version: 'v', expires: true, ttl: 3600 } }, { id: 11, refresh: { client: 'c', version: 'v', expires: true, ttl: 3600 } }],
    ['unsubscribe', { id: 12, unsubscribe: {} }, { id: 12, unsubscribe: {} }],
    ['sub_refresh', { id: 13, sub_refresh: { expires: true, ttl: 60 } }, { id: 13, sub_refresh: { expires: true, ttl: 60 } }],
    ['the ping (an empty reply)', {}, {}],
    [
      'push: pub',
      { push: { channel: 'room', pub: { data: { text: 'hi' }, offset: BIG_OFFSET } } },
      { push: { channel: 'room', pub: { data: '{"text":"hi"}', offset: BIG_OFFSET } } },
    ],
    [
      'push: join',
      { push: { channel: 'room', join: { info: { user: 'u', client: 'c', chan_info: { role: 'x' } } } } },
      { push: { channel: 'room', join: { info: { user: 'u', client: 'c', chan_info: '{"role":"x"}' } } } },
    ],
    ['push: leave', { push: { channel: 'room', leave: { info: { user: 'u', client: 'c' } } } }, { push: { channel: 'room', leave: { info: { user: 'u', client: 'c' } } } }],
    [
      'push: unsubscribe',
      { push: { channel: 'room', unsubscribe: { code: 2000, reason: 'removed from channel' } } },
      { push: { channel: 'room', unsubscribe: { code: 2000, reason: 'removed from channel' } } },
    ],
    [
      'push: subscribe',
      { push: { channel: 'room', subscribe: { recoverable: true, epoch: 'E', offset: 4, positioned: true, data: { a: 1 } } } },
      { push: { channel: 'room', subscribe: { recoverable: true, epoch: 'E', offset: 4, positioned: true, data: '{"a":1}' } } },
    ],
    ['push: message', { push: { message: { data: 'plain text' } } }, { push: { message: { data: '"plain text"' } } }],
    ['push: disconnect', { push: { disconnect: { code: 3501, reason: 'bad request' } } }, { push: { disconnect: { code: 3501, reason: 'bad request' } } }],
    [
      'push: connect',
      { push: { connect: { client: 'c', version: 'v', data: null, subs: { s: { recoverable: true, offset: 1 } }, expires: true, ttl: 5, ping: 25, pong: true } } },
      { push: { connect: { client: 'c', version: 'v', data: 'null', subs: { s: { recoverable: true, offset: 1 } }, expires: true, ttl: 5, ping: 25, pong: true } } },
    ],
    ['push: refresh', { push: { refresh: { expires: true, ttl: 120 } } }, { push: { refresh: { expires: true, ttl: 120 } } }],
    [
      'publication extras: tags, time, negative score, epoch, version',
      { id: 14, history: { publications: [{ data: 1, offset: 1, tags: { k: 'v' }, time: 1_700_000_000_123, score: -5, epoch: 'E', version: 2 ** 35, key: 'k', removed: true }] } },
      { id: 14, history: { publications: [{ data: '1', offset: 1, tags: { k: 'v' }, time: 1_700_000_000_123, score: -5, epoch: 'E', version: 2 ** 35, key: 'k', removed: true }] } },
    ],
    ['a negative int64 (push id)', { push: { id: -2, channel: 'c' } }, { push: { id: -2, channel: 'c' } }],
  ])('%s', (_name, reply, expected) => {
    expect(clientReads(encodeReply(reply))).toEqual([expected]);
  });

  it('encodes byte for byte as the client’s own encoder does', () => {
    const replies: [object, object][] = [
      [
        { id: 1, connect: { client: 'c', version: 'v', ping: 25, pong: true, expires: true, ttl: 9, subs: { a: { recoverable: true, epoch: 'E', offset: 3 } } } },
        { id: 1, connect: { client: 'c', version: 'v', ping: 25, pong: true, expires: true, ttl: 9, subs: { a: { recoverable: true, epoch: 'E', offset: 3 } } } },
      ],
      [
        { id: 5, subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET, recovered: true, was_recovering: true, publications } },
        {
          id: 5,
          subscribe: { recoverable: true, epoch: 'E', offset: BIG_OFFSET, recovered: true, was_recovering: true, publications: read.map((p) => ({ ...p, data: bytes(p.data) })) },
        },
      ],
      [{ push: { channel: 'канал', pub: { data: { x: 'ü' }, offset: 300 } } }, { push: { channel: 'канал', pub: { data: bytes('{"x":"ü"}'), offset: 300 } } }],
      [{ id: 2, error: { code: 109, message: 'token expired' } }, { id: 2, error: { code: 109, message: 'token expired' } }],
    ];
    for (const [ours, theirs] of replies) expect(Buffer.from(encodeReply(ours)).toString('hex')).toBe(Buffer.from(codec.encodeReplies([theirs])).toString('hex'));
  });

  it('leaves proto3 defaults out, but keeps empty results', () => {
    const reply = encodeReply({ id: 1, subscribe: { recoverable: false, epoch: '', offset: 0, publications: [] } });
    expect([...reply]).toEqual([4, 0x08, 0x01, 0x32, 0x00]);
    expect([...encodeReply({})]).toEqual([0]);
  });

  it('frames concatenated in one write are read in order', () => {
    const frame = Buffer.concat([encodeReply({ id: 1, rpc: { data: {} } }), encodeReply({}), encodePublicationPush('c', '{"n":1}', 2), encodeReply({ id: 2, unsubscribe: {} })]);
    expect(clientReads(frame)).toEqual([{ id: 1, rpc: { data: '{}' } }, {}, { push: { channel: 'c', pub: { data: '{"n":1}', offset: 2 } } }, { id: 2, unsubscribe: {} }]);
  });

  it('writes long replies with multi-byte lengths', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ data: { i, text: 'x'.repeat(i % 50) }, offset: i + 1 }));
    const [reply] = clientReads(encodeReply({ id: 1, history: { publications: many, epoch: 'E', offset: 500 } })) as [{ history: { publications: { data: string }[] } }];
    expect(reply.history.publications.map((p) => JSON.parse(p.data) as unknown)).toEqual(many.map((p) => p.data));
  });

  it('refuses keys client.proto has no field for, and values of the wrong type', () => {
    expect(() => encodeReply({ id: 1, subscribe: { recoverable: true, extra: 1 } })).toThrow(/subscribe\.extra has no field/);
    expect(() => encodeReply({ id: 1, nonsense: {} })).toThrow(TypeError);
    expect(() => encodeReply({ id: -1 })).toThrow(TypeError);
    expect(() => encodeReply({ id: 2 ** 32 })).toThrow(TypeError);
    expect(() => encodeReply({ id: 1, subscribe: { offset: 1.5 } })).toThrow(TypeError);
    expect(() => encodeReply({ id: 1, refresh: { client: 5 } })).toThrow(TypeError);
    expect(() => encodeReply({ id: 1, rpc: { data: () => 1 } })).toThrow(TypeError);
    expect(() => encodeReply({ id: 1, history: { publications: {} } })).toThrow(TypeError);
  });
});

describe('encodePublicationPush', () => {
  it('is the Reply the client reads as a publication push', () => {
    expect(clientReads(encodePublicationPush('room:é', '{"text":"🎉"}', BIG_OFFSET))).toEqual([{ push: { channel: 'room:é', pub: { data: '{"text":"🎉"}', offset: BIG_OFFSET } } }]);
    expect(clientReads(encodePublicationPush('room', '{"type":"typing.start"}', undefined))).toEqual([{ push: { channel: 'room', pub: { data: '{"type":"typing.start"}' } } }]);
    expect(clientReads(encodePublicationPush('room', '{}', 0))).toEqual([{ push: { channel: 'room', pub: { data: '{}' } } }]);
  });

  it('has the same bytes as encodeReply and as the client’s encoder, long payloads included', () => {
    for (const [channel, data, offset] of [
      ['c', { a: 1 }, 1],
      ['канал', { text: 'x'.repeat(20_000) }, Number.MAX_SAFE_INTEGER],
      ['#u1', { type: 'unread' }, undefined],
    ] as const) {
      const json = JSON.stringify(data);
      const ours = encodePublicationPush(channel, json, offset);
      expect(ours.equals(encodeReply({ push: { channel, pub: { data, offset } } }))).toBe(true);
      expect(ours.equals(Buffer.from(codec.encodeReplies([{ push: { channel, pub: { data: bytes(json), ...(offset ? { offset } : {}) } } }])))).toBe(true);
    }
  });

  it('copies the JSON text byte for byte and never parses it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      // Not what JSON.stringify(JSON.parse(…)) would give back: spacing, 2.50, an escape, a duplicate key.
      const json = '{ "b" : 1,\n"a":2.50, "s":"\\u00e9", "a":3 }';
      const frame = encodePublicationPush('c', json, 7);
      // And text that is not JSON at all: parsing would throw.
      const notJson = encodePublicationPush('c', 'not json {', 8);
      expect(parse).not.toHaveBeenCalled();
      expect(frame.includes(Buffer.from(json))).toBe(true);
      expect(clientReads(frame)).toEqual([{ push: { channel: 'c', pub: { data: json, offset: 7 } } }]);
      expect(clientReads(notJson)).toEqual([{ push: { channel: 'c', pub: { data: 'not json {', offset: 8 } } }]);
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses an offset that is not a stream offset', () => {
    expect(() => encodePublicationPush('c', '{}', -1)).toThrow(TypeError);
    expect(() => encodePublicationPush('c', '{}', 1.5)).toThrow(TypeError);
  });
});
