import type { Bus } from '../bus/bus.js';
import type { TokenService } from '../domain/auth/tokens.js';
import type { TypingTracker } from '../domain/channels/typing.js';
import type { LinkPreviewer } from '../domain/previews/link-previewer.js';
import type { FileStore } from '../files/index.js';
import type { OutboundGuard } from '../outbound/index.js';
import type { PresenceStore } from '../presence/index.js';
import type { Store } from '../store/store.js';

/** The operator's rules for webhook and hook URLs. */
export interface WebhookUrlPolicy {
  /** `CHATSDK_ALLOW_HTTP_WEBHOOKS`: plain http is accepted for every host. */
  allowHttp: boolean;
  /** `CHATSDK_OUTBOUND_ALLOW_HOSTS` entries (`host:port`): accepted over http, and whatever address they resolve to. */
  allowHosts: readonly string[];
}

/** What every route handler works with: built once per server. */
export interface ServerContext {
  store: Store;
  bus: Bus;
  /** Who is online, shared by every process when they share Redis. */
  presence: PresenceStore;
  tokens: TokenService;
  typing: TypingTracker;
  /** Every request to a URL someone else chose goes through it (DESIGN §7). */
  outbound: OutboundGuard;
  /** Link previews of sent messages, made in the background. */
  previews: LinkPreviewer;
  /** Where uploads' bytes live: local disk or an S3-compatible bucket. */
  files: FileStore;
  /** Which URLs webhooks and the before-send hook may name (checked when saved; addresses are checked again at every request by `outbound`). */
  webhookUrls: WebhookUrlPolicy;
  version: string;
  startedAt: number;
}
