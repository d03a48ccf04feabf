import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from './stats.mjs';

/** A wall-clock time in ms with sub-ms resolution, comparable across the bench's processes (see socket-worker.mjs). */
export const now = () => performance.timeOrigin + performance.now();

/**
 * Sends `POST /api/channels/:id/messages` at a steady rate from `startAt`
 * (epoch ms) for `seconds`: an open loop, as users type, so each send goes at
 * its time whether or not the ones before it were answered, and a slow server
 * shows as latency, not as a lower offered rate. The text is `<tag> <seq>
 * <sent at>`, read by socket-worker.mjs for the send-to-receive latency.
 *
 * It runs in the orchestrator, not in a load process: at tens of sends a
 * second it costs nothing, and the orchestrator does nothing else meanwhile.
 * `token` may be a list: message n is sent with token n mod its length, senders taking turns.
 * @param {{ url: string, channelId: string, token: string | string[], rate: number, seconds: number, tag: string, startAt: number }} plan
 */
export async function sendSteadily({ url, channelId, token, rate, seconds, tag, startAt }) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const path = `/api/channels/${encodeURIComponent(channelId)}/messages`;
  const tokens = typeof token === 'string' ? [token] : token;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  /** Whether each message was acknowledged with 201, by sequence number. */
  const acknowledged = new Array(total).fill(false);
  /** @type {Record<string, number>} */
  const errors = {};
  const latencyUs = new Histogram();
  /** How far behind its schedule a send went out: a sender that cannot keep its rate is the bench's fault. */
  let maxLagMs = 0;

  /** @param {number} seq */
  const send = (seq) =>
    new Promise((resolve) => {
      const sentAt = now();
      const body = JSON.stringify({ text: `${tag} ${seq} ${sentAt.toFixed(3)}` });
      const fail = (/** @type {string} */ key) => {
        errors[key] = (errors[key] ?? 0) + 1;
        resolve(undefined);
      };
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method: 'POST',
          path,
          headers: { authorization: `Bearer ${tokens[seq % tokens.length]}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.on('data', () => {});
          res.on('error', () => fail('response_error'));
          res.on('end', () => {
            if (res.statusCode !== 201) return fail(String(res.statusCode));
            acknowledged[seq] = true;
            latencyUs.record((now() - sentAt) * 1000);
            resolve(undefined);
          });
        },
      );
      req.on('error', (error) => fail(/** @type {NodeJS.ErrnoException} */ (error).code ?? 'network_error'));
      req.end(body);
    });

  /** @type {Promise<unknown>[]} */
  const inFlight = [];
  for (let seq = 0; seq < total; seq += 1) {
    const due = startAt + seq * interval;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, now() - due);
    inFlight.push(send(seq));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { total, acknowledged, errors, latencyUs, maxLagMs };
}

/** @typedef {Awaited<ReturnType<typeof sendSteadily>>} SendResult */
