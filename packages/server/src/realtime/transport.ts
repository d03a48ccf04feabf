import type { Framing } from './framing.js';
import type { Outlet } from './write-queue.js';

/**
 * How long a closing session is kept while its disconnect still waits in the
 * process behind unsent data (a client that stopped reading): if the client
 * reads again within this time it gets the disconnect. It costs a descriptor
 * and at most one write's bytes; `ws` itself gives up on a close handshake
 * after as long.
 */
export const CLOSE_LINGER_MS = 30_000;

/** How a session's messages travel: a WebSocket, or an HTTP stream with commands posted to /emulation. */
export interface Transport {
  readonly framing: Framing;
  readonly outlet: Outlet;
  /**
   * Commands come by separate requests (`POST /emulation`): the connect
   * result names the session and the process that holds it.
   */
  readonly emulated: boolean;
  /** Ends the transport, saying nothing more. */
  end(): void;
  /** Cuts it: for a client that does not take its close (a shutdown does not wait for it). */
  destroy(): void;
}
