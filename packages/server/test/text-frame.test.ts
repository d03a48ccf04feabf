import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { textFrame } from '../src/realtime/text-frame.js';

/** The frame parser `ws` uses for every socket; its type declarations leave it out. */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReceiver;
};

/** Decodes frames with the `ws` library's own parser, as a client would. */
function decode(bytes: Buffer): Promise<{ text: string; binary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data, isBinary) => resolve({ text: data.toString(), binary: isBinary }));
    receiver.on('error', reject);
    receiver.write(bytes);
  });
}

describe('textFrame', () => {
  // The three length encodings and their edges: 7 bits, 16 bits, 64 bits.
  it.each([0, 1, 125, 126, 127, 65535, 65536, 200_000])('frames %i bytes as one text message', async (length) => {
    const payload = Buffer.from('é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2));
    expect(payload.length).toBe(length);
    const frame = textFrame(payload);
    expect(frame.length).toBe(payload.length + (length < 126 ? 2 : length < 65536 ? 4 : 10));
    const decoded = await decode(frame);
    expect(decoded.binary).toBe(false);
    expect(decoded.text).toBe(payload.toString());
  });
});
