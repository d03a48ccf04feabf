import { Centrifuge, type Options, type PublicationContext } from 'centrifuge';
import { Centrifuge as ProtobufCentrifuge } from 'centrifuge/build/protobuf';
import { EventSource } from 'eventsource';
import { TaskPerMessageWebSocket } from './realtime.js';

/** Every way the real `centrifuge` client can reach the gateway: transport and framing. */
export const TRANSPORTS = ['websocket', 'websocket-protobuf', 'http_stream', 'http_stream-protobuf', 'sse'] as const;
/** One of `TRANSPORTS`. */
export type TransportName = (typeof TRANSPORTS)[number];

/** Where a client's stream goes and where its emulation requests go (another process, to test routing). */
export interface Endpoints {
  baseUrl: string;
  emulationBaseUrl?: string;
}

/**
 * A real `centrifuge` client (the npm package; its Protobuf build for the
 * `-protobuf` names) on one transport only, as a browser behind a proxy that
 * blocks WebSockets would end up using it.
 */
export function clientOn(name: TransportName, endpoints: Endpoints, token: string, options: Partial<Options> = {}): Centrifuge {
  const protobuf = name.endsWith('-protobuf');
  const transport = name.replace('-protobuf', '') as 'websocket' | 'http_stream' | 'sse';
  const base = endpoints.baseUrl;
  const endpoint = transport === 'websocket' ? `${base.replace('http', 'ws')}/connection/websocket` : `${base}/connection/${transport}`;
  const config: Partial<Options> = {
    token,
    websocket: TaskPerMessageWebSocket,
    eventsource: EventSource,
    emulationEndpoint: `${endpoints.emulationBaseUrl ?? base}/emulation`,
    minReconnectDelay: 50,
    maxReconnectDelay: 200,
    ...options,
  };
  const Client = protobuf ? ProtobufCentrifuge : Centrifuge;
  return new Client([{ transport, endpoint }], config) as Centrifuge;
}

/** The event a publication carries: JSON in the JSON framing, the same JSON as bytes in Protobuf. */
export function eventOf<T>(publication: PublicationContext): T {
  const data: unknown = publication.data;
  if (data instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(data)) as T;
  return data as T;
}

/** A publication's offset as a number: the Protobuf build gives a `Long`. */
export function offsetOf(publication: PublicationContext): number {
  return Number(publication.offset ?? 0);
}
