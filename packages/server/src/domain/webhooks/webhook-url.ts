import { ApiError } from '../../errors.js';
import { refusedRange } from '../../outbound/addresses.js';
import { parseAllowHost, urlHostKey } from '../../outbound/allow-hosts.js';
import { OutboundError } from '../../outbound/errors.js';
import { resolveHost } from '../../outbound/resolve.js';

/**
 * The operator's rules the check applies: the server context's
 * `webhookUrls`, described here so the domain does not reach up into http.
 */
export interface WebhookUrlRules {
  /** `CHATSDK_ALLOW_HTTP_WEBHOOKS=1`: plain http for every host. */
  allowHttp: boolean;
  /** `CHATSDK_OUTBOUND_ALLOW_HOSTS` entries (`host:port`): http accepted, and whatever address they resolve to. */
  allowHosts: readonly string[];
}

/** How long saving a webhook may wait on DNS: a request handler should not hang on a slow resolver. */
const RESOLVE_TIMEOUT_MS = 3000;

function refuse(message: string): never {
  throw new ApiError('webhook_url_refused', message);
}

/** The URL, parsed and checked for what can be judged without the network. */
function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse('url is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`url must be https, not ${url.protocol}`);
  if (url.hostname === '') refuse('url names no host');
  return url;
}

/**
 * Judges a webhook (or before-send hook) URL when it is saved, and answers it
 * normalised (as `new URL` writes it). https only, unless the operator allows
 * http (`CHATSDK_ALLOW_HTTP_WEBHOOKS=1`) or lists the exact host:port
 * (`CHATSDK_OUTBOUND_ALLOW_HOSTS`). The host must resolve, and to public
 * addresses only, unless it is listed. Throws `webhook_url_refused` (400).
 *
 * This is the early answer a developer sees at once; the outbound guard
 * judges the addresses again at every delivery, because DNS can change.
 */
export async function checkWebhookUrl(text: string, policy: WebhookUrlRules): Promise<string> {
  const url = parseWebhookUrl(text);
  // host:port with the scheme's port filled in, as allowlist entries are written.
  const key = urlHostKey(url);
  const listed = policy.allowHosts.some((entry) => parseAllowHost(entry) === key);
  if (url.protocol === 'http:' && !policy.allowHttp && !listed) {
    refuse(`url must be https (plain http is accepted only when the operator sets CHATSDK_ALLOW_HTTP_WEBHOOKS=1, or lists ${key} in CHATSDK_OUTBOUND_ALLOW_HOSTS)`);
  }
  if (listed) return url.href;
  const deadline = AbortSignal.timeout(RESOLVE_TIMEOUT_MS);
  let addresses: Awaited<ReturnType<typeof resolveHost>>;
  try {
    addresses = await resolveHost(url.hostname, undefined, deadline);
  } catch (error) {
    if (error instanceof OutboundError || deadline.aborted) refuse(`url's host ${url.hostname} does not resolve`);
    throw error;
  }
  // One refused address refuses the name, as the guard does: a delivery could be sent to any of them.
  for (const { address } of addresses) {
    const range = refusedRange(address);
    if (range) refuse(`url's host ${url.hostname} resolves to a ${range.replace('_', '-')} address (${address}); the operator can allow it with CHATSDK_OUTBOUND_ALLOW_HOSTS=${key}`);
  }
  return url.href;
}
