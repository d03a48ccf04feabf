/** What a client posts to `/emulation`: a message of commands for its session on the named process. */
export interface EmulationRequest {
  node: string;
  session: string;
  /** The commands, in the session's framing: JSON text, or length-delimited Protobuf `Command`s. */
  data: Buffer;
}

/** A body that is not an emulation request. */
export class BadEmulationRequest extends Error {}

/** `{"session","node","data"}`, `data` being the JSON commands as a string (or, leniently, as JSON itself). */
export function emulationRequestFromJson(body: Buffer): EmulationRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadEmulationRequest('the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new BadEmulationRequest('the body is not an object');
  const { node, session, data } = parsed as Record<string, unknown>;
  if (typeof node !== 'string' || typeof session !== 'string') throw new BadEmulationRequest('node and session must be strings');
  if (data === undefined || data === null) throw new BadEmulationRequest('data is missing');
  return { node, session, data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)) };
}

/**
 * Protobuf `EmulationRequest` (client.proto: node = 1, session = 2, both
 * strings; data = 3, bytes), not length-delimited, as the client posts it.
 */
export function emulationRequestFromProtobuf(body: Buffer): EmulationRequest {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = body[pos];
      if (byte === undefined) throw new BadEmulationRequest('truncated varint');
      pos += 1;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new BadEmulationRequest('varint too long');
  };
  const request: EmulationRequest = { node: '', session: '', data: Buffer.alloc(0) };
  while (pos < body.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) {
      varint();
      continue;
    }
    if (wireType !== 2) throw new BadEmulationRequest(`unexpected wire type ${wireType}`);
    const length = varint();
    if (pos + length > body.length) throw new BadEmulationRequest('a field runs past the end');
    const bytes = body.subarray(pos, pos + length);
    pos += length;
    if (field === 1) request.node = bytes.toString('utf8');
    else if (field === 2) request.session = bytes.toString('utf8');
    else if (field === 3) request.data = Buffer.from(bytes);
  }
  return request;
}
