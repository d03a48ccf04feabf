/** The environment variable that names the operator's allowlist. */
export const ALLOW_HOSTS_ENV = 'CHATSDK_OUTBOUND_ALLOW_HOSTS';

/** `host:port` as the guard compares it: the URL parser's hostname (lowercase, punycode, IPv6 bracketed and compressed) and a port number. */
function hostKey(hostname: string, port: number): string {
  return `${hostname}:${port}`;
}

/** The key of a URL's host and effective port (80 or 443 when it names none). */
export function urlHostKey(url: URL): string {
  return hostKey(url.hostname, url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port));
}

/**
 * Parses one allowlist entry, `host:port` (`[::1]:8080` for IPv6), into its
 * key. The port is required: letting a host through on every port would
 * open every service it runs, when the operator meant one.
 */
export function parseAllowHost(entry: string): string {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(entry.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${ALLOW_HOSTS_ENV}: "${entry}" is not host:port (an IPv6 address goes in brackets: [::1]:8080)`);
  }
  let hostname: string;
  try {
    hostname = new URL(`http://${match[1]}/`).hostname;
  } catch {
    throw new Error(`${ALLOW_HOSTS_ENV}: "${entry}" does not name a host`);
  }
  return hostKey(hostname, port);
}

/** Parses the comma-separated allowlist (empty entries are ignored); throws with a plain message on a bad entry. */
export function parseAllowHosts(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseAllowHost);
}
