import { isIP } from 'node:net';
import { ApiError } from '../../errors.js';
import { refusedRange } from '../../outbound/index.js';
import { parseAllowHost, urlHostKey } from '../../outbound/allow-hosts.js';

/** The operator's rules for hook URLs: the server context's `webhookUrls`, described here so the domain does not reach up into http. */
export interface HookUrlRules {
  /** `CHATSDK_ALLOW_HTTP_WEBHOOKS=1`: plain http for every host. */
  allowHttp: boolean;
  /** `CHATSDK_OUTBOUND_ALLOW_HOSTS` entries (`host:port`): http accepted, and whatever address they name. */
  allowHosts: readonly string[];
}

function refuse(message: string): never {
  throw new ApiError('webhook_url_refused', message);
}

/**
 * Judges a before-send hook URL when it is saved and answers it normalised:
 * https unless the operator allows http or lists the host:port, and no
 * literal private, loopback, link-local or metadata address unless listed.
 * Names are not resolved here; the outbound guard refuses one that points
 * inside at every request. (Interim: the webhook URL check of
 * domain/webhooks, once in place, judges both.)
 */
export function checkHookUrl(text: string, rules: HookUrlRules): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse('url is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`url must be https, not ${url.protocol}`);
  const listed = rules.allowHosts.some((entry) => parseAllowHost(entry) === urlHostKey(url));
  if (listed) return url.href;
  if (url.protocol === 'http:' && !rules.allowHttp) {
    refuse(`url must be https (plain http only when the operator sets CHATSDK_ALLOW_HTTP_WEBHOOKS=1 or lists ${url.host} in CHATSDK_OUTBOUND_ALLOW_HOSTS)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const range = isIP(host) === 0 ? undefined : refusedRange(host);
  if (range) refuse(`url names a ${range} address; the operator can allow it with CHATSDK_OUTBOUND_ALLOW_HOSTS=${url.host}`);
  return url.href;
}
