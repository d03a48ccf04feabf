/**
 * The `centrifuge-protobuf` framing of the Centrifugo client protocol v2:
 * binary frames of varint-length-delimited `Command`s and `Reply`s, as
 * Centrifugo's client.proto defines them, hand-written so the server needs
 * no Protobuf library at run time.
 */
export { decodeCommands } from './commands.js';
export { encodePublicationPush } from './publication.js';
export { encodeReply } from './replies.js';
export { ProtobufDecodeError } from './wire.js';
