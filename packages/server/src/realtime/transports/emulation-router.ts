import type { Bus } from '../../bus/bus.js';
import { ApiError } from '../../errors.js';
import type { ClientConnection } from '../connection.js';
import type { EmulationRequest } from './emulation-request.js';
import type { EmulatedSessions } from './streams.js';

/** The bus topic on which a process receives emulation requests for its sessions. */
const topicOf = (node: string) => `emulation:${node}`;

/** An emulation request as it crosses the bus to the process that holds the session. */
interface Forwarded {
  session: string;
  /** The commands, base64: Protobuf commands are bytes. */
  data: string;
}

/**
 * The sessions of the emulated transports on this process (`node`), and the
 * way to the others: behind a load balancer, a client's `/emulation` request
 * may reach another process than its stream. That process forwards it over
 * the bus to the node the request names.
 */
export class EmulationRouter implements EmulatedSessions {
  private readonly sessions = new Map<string, ClientConnection>();
  private readonly stop: Promise<() => Promise<void>>;

  constructor(
    private readonly bus: Bus,
    private readonly node: string,
    onError: (error: unknown) => void,
  ) {
    this.stop = bus
      .subscribe(topicOf(node), (json) => {
        const forwarded = JSON.parse(json) as Forwarded;
        this.sessions.get(forwarded.session)?.receive(Buffer.from(forwarded.data, 'base64'));
      })
      .catch((error: unknown) => {
        onError(error);
        return async () => {};
      });
  }

  add(connection: ClientConnection): void {
    this.sessions.set(connection.id, connection);
  }

  /** Forgets a session that closed. */
  remove(connection: ClientConnection): void {
    this.sessions.delete(connection.id);
  }

  async deliver(request: EmulationRequest): Promise<boolean> {
    if (request.node === this.node) {
      const session = this.sessions.get(request.session);
      session?.receive(request.data);
      return session !== undefined;
    }
    const forwarded: Forwarded = { session: request.session, data: request.data.toString('base64') };
    try {
      await this.bus.publish(topicOf(request.node), JSON.stringify(forwarded));
    } catch {
      throw new ApiError('service_unavailable', 'the bus to the process holding this session is down; retry later');
    }
    return true;
  }

  async close(): Promise<void> {
    this.sessions.clear();
    await (await this.stop)();
  }
}
