import type { GatewayOptions } from '../../src/realtime/gateway.js';
import { startTestServer, type TestServer } from './server.js';

/** One line the server logged, as pino wrote it. */
export interface LogLine {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

/** pino's number for `error`: lines at this level or above mean the server thinks it failed. */
export const ERROR_LEVEL = 50;

/** A test server (SQLite, in-process bus) whose log lines at `warn` and above are kept in `logs`. */
export async function startLoggedServer(realtime: GatewayOptions = {}): Promise<TestServer & { logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) };
  const server = await startTestServer('sqlite', { realtime, logger: { level: 'warn', stream } });
  return Object.assign(server, { logs });
}
