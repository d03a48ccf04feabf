import type { ChannelState, FlagBody, FlagResponse, UpdateChannelBody, User } from '@chatsdk/protocol';
import { ChatError } from '../errors.js';
import { type RequestManager, seg } from '../http/requests.js';
import { derived, type ReadableStore, Store } from '../store.js';
import { backgroundTimer } from '../util.js';

/**
 * Whether the user may send here now, as a composer shows it: `open`;
 * `banned` (until `expiresAt`, null: until lifted; `channelId` null for an
 * app ban); `frozen`; `cooldown` (slow mode: the next send may go at `until`,
 * epoch ms). Moderators are never `frozen` or in `cooldown`.
 */
export type SendState =
  | { status: 'open' }
  | { status: 'banned'; expiresAt: string | null; channelId: string | null }
  | { status: 'frozen' }
  | { status: 'cooldown'; until: number; cooldownSeconds: number };

const OPEN: SendState = { status: 'open' };

/** Whether the user moderates this channel: a channel role from moderator up, or an app moderator or admin. */
export function moderates(state: ChannelState | null, user: User | null): boolean {
  const role = state?.membership?.role;
  return (role !== undefined && role !== 'member') || user?.role === 'moderator' || user?.role === 'admin';
}

/**
 * `channel.moderation`: the channel's moderation settings (freeze, slow mode,
 * blocklists: moderators and up), reporting its messages (anyone), and
 * `sendState`, what a composer shows: banned, frozen, or the slow-mode
 * cooldown after the user's own send or a `429 slow_mode`.
 */
export class ChannelModeration {
  /** Whether the user may send now; changes by itself when a ban or a cooldown ends. */
  readonly sendState: ReadableStore<SendState>;
  /** Ids of the messages this user reported in this session. */
  readonly reported = new Store<ReadonlySet<string>>(new Set());
  /** When slow mode lets the user send again (epoch ms); 0: not waiting. */
  private readonly cooldownUntil = new Store(0);
  /** Bumped at the next deadline (a ban's expiry, a cooldown's end), so `sendState` is worked out again. */
  private readonly clock = new Store(0);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = 0;
  private last: SendState = OPEN;

  constructor(
    private readonly state: Store<ChannelState | null>,
    /** The calling user, once read (their app role exempts app moderators). */
    private readonly current: ReadableStore<User | null>,
    private readonly requests: RequestManager,
    /** `/api/channels/:id`. */
    private readonly path: string,
  ) {
    this.sendState = derived([state, current, this.cooldownUntil, this.clock], () => this.compute());
  }

  /** Freezes the channel: only moderators send or react until `unfreeze()`. */
  freeze(): Promise<ChannelState> {
    return this.update({ frozen: true });
  }

  /** Ends a freeze. */
  unfreeze(): Promise<ChannelState> {
    return this.update({ frozen: false });
  }

  /** Slow mode: members may send once per `seconds`; 0 turns it off. */
  setCooldown(seconds: number): Promise<ChannelState> {
    return this.update({ cooldownSeconds: seconds });
  }

  /** The app blocklists this channel applies, by name (replaces the list). */
  setBlocklists(names: string[]): Promise<ChannelState> {
    return this.update({ blocklists: names });
  }

  /** Reports a message to the moderators, with an optional reason; `reported` then holds it (reporting again is harmless). */
  async flagMessage(messageId: string, body: FlagBody = {}): Promise<FlagResponse> {
    const answer = await this.requests.request<FlagResponse>(`/api/messages/${seg(messageId)}/flag`, { body });
    this.reported.update((ids) => new Set([...ids, messageId]));
    return answer;
  }

  /** Calls `run` once, when the send state leaves `banned` (a timed ban ended, or a read found it lifted); answers how to stop waiting. */
  whenUnbanned(run: () => void): () => void {
    const stop = this.sendState.subscribe(() => {
      if (this.sendState.getSnapshot().status === 'banned') return;
      stop();
      run();
    });
    return stop;
  }

  /**
   * A send is on its way (and again once it is answered): in slow mode the next one waits a cooldown from
   * now. The server counts from the send's arrival, between the two: from the answer, the composer never
   * opens before the server would take the next send.
   */
  sending(): void {
    const state = this.state.getSnapshot();
    const seconds = state?.channel.cooldownSeconds ?? 0;
    if (seconds > 0 && !moderates(state, this.current.getSnapshot())) this.cooldownUntil.set(Date.now() + seconds * 1000);
  }

  /** A write was refused: a ban, a freeze or slow mode the client did not know of shows from now on. */
  refused(error: unknown, send: boolean): void {
    if (!(error instanceof ChatError)) return;
    const ban = error.ban;
    if (ban) {
      this.state.update((state) => (state?.membership ? { ...state, membership: { ...state.membership, ban } } : state));
    } else if (error.code === 'channel_frozen') {
      this.state.update((state) => (state ? { ...state, channel: { ...state.channel, frozen: true } } : state));
    } else if (error.code === 'slow_mode') {
      // The refusal says what the client may not have heard yet: slow mode is on, at this cooldown.
      const seconds = error.details?.cooldownSeconds;
      if (typeof seconds === 'number') this.state.update((state) => (state && state.channel.cooldownSeconds !== seconds ? { ...state, channel: { ...state.channel, cooldownSeconds: seconds } } : state));
      this.cooldownUntil.set(Date.now() + (error.retryAfterSeconds ?? 1) * 1000);
      return;
    }
    // Any other refusal of a send gave its slow-mode slot back (the server's transaction rolled back).
    if (send && !error.isTransient && !error.isNetwork) this.cooldownUntil.set(0);
  }

  private async update(body: UpdateChannelBody): Promise<ChannelState> {
    const state = await this.requests.request<ChannelState>(this.path, { method: 'PATCH', body });
    this.state.set(state);
    return state;
  }

  private compute(): SendState {
    const state = this.state.getSnapshot();
    if (!state) return (this.last = OPEN);
    const now = Date.now();
    let next = 0;
    let result: SendState = OPEN;
    const ban = state.membership?.ban;
    const banEnds = ban?.expiresAt ? Date.parse(ban.expiresAt) : Number.POSITIVE_INFINITY;
    const until = this.cooldownUntil.getSnapshot();
    if (ban && banEnds > now) {
      result = { status: 'banned', expiresAt: ban.expiresAt, channelId: ban.channelId };
      if (Number.isFinite(banEnds)) next = banEnds;
    } else if (!moderates(state, this.current.getSnapshot())) {
      if (state.channel.frozen) result = { status: 'frozen' };
      else if (until > now && state.channel.cooldownSeconds > 0) result = { status: 'cooldown', until, cooldownSeconds: state.channel.cooldownSeconds };
    }
    if (result.status === 'cooldown') next = result.until;
    this.wakeAt(next);
    // The channel's state moves with every message: the same answer keeps its identity, so a composer is left alone.
    if (JSON.stringify(result) !== JSON.stringify(this.last)) this.last = result;
    return this.last;
  }

  /** One timer, at the next deadline: `sendState` changes then without any event. */
  private wakeAt(at: number): void {
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at > 0) this.timer = backgroundTimer(() => {
      this.timerAt = 0;
      this.clock.update((tick) => tick + 1);
      // Past setTimeout's 2^31 ms limit it would fire at once: it wakes early instead, and sets itself again.
    }, Math.min(Math.max(0, at - Date.now()) + 20, 2 ** 31 - 1));
  }
}
