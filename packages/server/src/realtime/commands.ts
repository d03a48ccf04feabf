import type { ChannelRequest, ConnectRequest, HistoryRequest, RefreshRequest, SubscribeRequest, TypingRequest } from './protocol.js';

/** The largest command id: ids are unsigned 32-bit integers, as in the protocol's protobuf schema. */
export const MAX_COMMAND_ID = 0xffff_ffff;

/** A command the gateway serves, its request checked and typed. */
export type Command =
  | { method: 'connect'; request: ConnectRequest }
  | { method: 'subscribe'; request: SubscribeRequest }
  | { method: 'unsubscribe'; request: ChannelRequest }
  | { method: 'publish'; request: ChannelRequest }
  | { method: 'presence'; request: ChannelRequest }
  | { method: 'presence_stats'; request: ChannelRequest }
  | { method: 'history'; request: HistoryRequest }
  | { method: 'refresh'; request: RefreshRequest }
  | { method: 'typing'; request: TypingRequest }
  /** An rpc of a method the gateway does not have. */
  | { method: 'rpc'; name: string }
  /** Methods of the protocol the gateway does not offer. */
  | { method: 'sub_refresh' | 'send' };

/**
 * What one line of a frame is:
 * - `pong`: no id (or id 0), so no reply; the client's answer to a ping.
 * - `undecodable`: not a command object, or an id that is not an unsigned
 *   32-bit integer. There is no id to answer, and echoing a bad one would let
 *   the client write the reply: the connection ends (3501).
 * - `malformed`: a good id, but no method, several, or a request of the wrong
 *   shape: answered 107 (and before connect, the connection ends).
 * - `command`: ready to serve.
 */
export type ParsedLine =
  | { kind: 'pong' }
  | { kind: 'undecodable' }
  | { kind: 'malformed'; id: number; method: string | undefined }
  | { kind: 'command'; id: number; command: Command };

const METHODS = ['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc', 'refresh', 'sub_refresh', 'send'] as const;

type Method = (typeof METHODS)[number];
type Fields = Record<string, unknown>;

/** Thrown inside a request's parser: the request has the wrong shape. */
class Malformed extends Error {}

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';
const isName = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isWhole = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** A field the client may leave out: absent (undefined, or null as protobuf's JSON reads it), or of its type. */
function optional<T>(body: Fields, name: string, is: (value: unknown) => value is T): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!is(value)) throw new Malformed();
  return value;
}

function required<T>(body: Fields, name: string, is: (value: unknown) => value is T): T {
  const value = body[name];
  if (!is(value)) throw new Malformed();
  return value;
}

function fields(value: unknown): Fields {
  if (!isFields(value)) throw new Malformed();
  return value;
}

const channelRequest = (body: Fields): ChannelRequest => ({ channel: required(body, 'channel', isName) });

function subscribeRequest(body: Fields): SubscribeRequest {
  const offset = optional(body, 'offset', isWhole);
  const epoch = optional(body, 'epoch', isText);
  return {
    channel: required(body, 'channel', isName),
    recover: optional(body, 'recover', isBoolean) ?? false,
    ...(offset !== undefined ? { offset } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
  };
}

function historyRequest(body: Fields): HistoryRequest {
  const limit = optional(body, 'limit', isWhole);
  const reverse = optional(body, 'reverse', isBoolean);
  const since = optional(body, 'since', isFields);
  let position: HistoryRequest['since'];
  if (since) {
    const offset = optional(since, 'offset', isWhole);
    const epoch = optional(since, 'epoch', isText);
    position = { ...(offset !== undefined ? { offset } : {}), ...(epoch !== undefined ? { epoch } : {}) };
  }
  return {
    channel: required(body, 'channel', isName),
    ...(limit !== undefined ? { limit } : {}),
    ...(position ? { since: position } : {}),
    ...(reverse !== undefined ? { reverse } : {}),
  };
}

/** `rpc` carries its own method; `typing` is the one the gateway has, and its data is checked here too. */
function rpcCommand(body: Fields): Command {
  const name = optional(body, 'method', isText) ?? '';
  if (name !== 'typing') return { method: 'rpc', name };
  const data = fields(body.data);
  const parentId = optional(data, 'parentId', isText);
  return {
    method: 'typing',
    request: { channel: required(data, 'channel', isText), typing: required(data, 'typing', isBoolean), ...(parentId ? { parentId } : {}) },
  };
}

function tokenRequest(body: Fields): { token?: string } {
  const token = optional(body, 'token', isText);
  return token !== undefined ? { token } : {};
}

function command(method: Method, value: unknown): Command {
  switch (method) {
    case 'connect':
      return { method, request: tokenRequest(fields(value)) };
    case 'refresh':
      return { method, request: tokenRequest(fields(value)) };
    case 'subscribe':
      return { method, request: subscribeRequest(fields(value)) };
    case 'unsubscribe':
    case 'publish':
    case 'presence':
    case 'presence_stats':
      return { method, request: channelRequest(fields(value)) };
    case 'history':
      return { method, request: historyRequest(fields(value)) };
    case 'rpc':
      return rpcCommand(fields(value));
    case 'sub_refresh':
    case 'send':
      return { method };
  }
}

function decode(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Reads one line of a frame: JSON text that should hold one command object. */
export function parseLine(line: string): ParsedLine {
  return parseCommand(decode(line));
}

/**
 * Reads one command given in the JSON framing's shape: parsed from a JSON
 * line, or decoded from Protobuf into the same shape, so that both framings
 * are checked by this one reader.
 */
export function parseCommand(body: unknown): ParsedLine {
  if (!isFields(body)) return { kind: 'undecodable' };
  const id = body.id;
  // The protocol's pong: a command without an id expects no reply, so none is owed whatever it holds.
  if (id === undefined || id === 0) return { kind: 'pong' };
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_COMMAND_ID) return { kind: 'undecodable' };
  const named = METHODS.filter((method) => body[method] !== undefined);
  const method = named[0];
  if (method === undefined || named.length > 1) return { kind: 'malformed', id, method };
  try {
    return { kind: 'command', id, command: command(method, body[method]) };
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'malformed', id, method };
    throw error;
  }
}
