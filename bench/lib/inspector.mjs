import WebSocket from 'ws';

/**
 * The server's live heap through its V8 inspector, after a full garbage
 * collection: without it, a memory reading holds whatever garbage the last
 * phase left (token checks, queries) and a per-connection figure is noise.
 * The collection also returns freed pages, so the RSS read right after it is
 * steadier too. The server runs with `--inspect=127.0.0.1:0` (startServer's
 * `inspect`); nothing is attached between readings.
 * @param {string} inspectorUrl  the ws:// address Node printed
 * @returns {Promise<{ heapUsedBytes: number, heapTotalBytes: number }>}
 */
export async function heapAfterGc(inspectorUrl) {
  const ws = new WebSocket(inspectorUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  /** @type {Map<number, (reply: any) => void>} */
  const pending = new Map();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data));
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  /**
   * @param {string} method
   * @returns {Promise<any>}
   */
  const send = (method) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result)));
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await send('HeapProfiler.collectGarbage');
    const { usedSize, totalSize } = await send('Runtime.getHeapUsage');
    return { heapUsedBytes: usedSize, heapTotalBytes: totalSize };
  } finally {
    ws.close();
  }
}
