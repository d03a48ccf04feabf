// The client side of the Protobuf framing, for the load generators: the few
// Commands they send and the Replies they read, from client.proto's field
// numbers (centrifugal/protocol), through protobufjs. Publication data is the
// event's JSON as bytes, parsed here into the shape the JSON framing gives.
import protobuf from 'protobufjs';

const { root } = protobuf.parse(`
syntax = "proto3";
package bench;
message Error { uint32 code = 1; string message = 2; bool temporary = 3; }
message ConnectRequest { string token = 1; }
message SubscribeRequest { string channel = 1; }
message Command { uint32 id = 1; ConnectRequest connect = 4; SubscribeRequest subscribe = 5; }
message Publication { bytes data = 4; uint64 offset = 6; }
message Push { string channel = 2; Publication pub = 4; }
message ConnectResult { bool pong = 8; }
message SubscribeResult { uint64 offset = 9; }
message Reply { uint32 id = 1; Error error = 2; Push push = 4; ConnectResult connect = 5; SubscribeResult subscribe = 6; }
`);
const Command = root.lookupType('bench.Command');
const Reply = root.lookupType('bench.Reply');

/** The subprotocol that selects the framing. */
export const PROTOBUF_SUBPROTOCOL = 'centrifuge-protobuf';

/** A pong: the empty Command, length-delimited. */
export const PONG = Buffer.from([0]);

/**
 * Commands, each length-delimited, in one binary frame.
 * @param {object[]} commands
 */
export function encodeCommands(commands) {
  const writer = protobuf.Writer.create();
  for (const command of commands) Command.encodeDelimited(Command.fromObject(command), writer);
  return Buffer.from(writer.finish());
}

/**
 * The Replies of one binary frame in the JSON framing's shape: `'{}'` for a
 * ping (the empty Reply), else `{ id?, error?, connect?, subscribe?, push? }`
 * with publication data parsed from its JSON bytes and offsets as numbers.
 * @param {Buffer} frame
 * @returns {Array<string | any>}
 */
export function decodeReplies(frame) {
  const reader = protobuf.Reader.create(frame);
  const replies = [];
  while (reader.pos < reader.len) {
    const reply = Reply.toObject(Reply.decodeDelimited(reader), { longs: Number, bytes: Buffer });
    if (Object.keys(reply).length === 0) {
      replies.push('{}');
      continue;
    }
    const pub = reply.push?.pub;
    if (pub?.data) pub.data = JSON.parse(pub.data.toString('utf8'));
    replies.push(reply);
  }
  return replies;
}
