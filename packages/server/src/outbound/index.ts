import { ALLOW_HOSTS_ENV, parseAllowHosts } from './allow-hosts.js';
import type { OutboundPolicy } from './guard.js';

export { refusedRange, type AddressRange } from './addresses.js';
export { ALLOW_HOSTS_ENV, parseAllowHosts } from './allow-hosts.js';
export type { Overflow } from './body.js';
export { OutboundError, type OutboundFailure, redactUrl } from './errors.js';
export {
  createOutboundGuard,
  OUTBOUND_DEFAULTS,
  type OutboundGuard,
  type OutboundPolicy,
  type OutboundRequest,
  type OutboundResponse,
} from './guard.js';

/** The operator's policy from the environment: `CHATSDK_OUTBOUND_ALLOW_HOSTS`; throws with a plain message on a bad entry. */
export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv): OutboundPolicy {
  return { allowHosts: parseAllowHosts(env[ALLOW_HOSTS_ENV]) };
}
