import type { UpdateAppBody } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { SecretBox } from '../../store/secret-box.js';
import { type AppRecord, type HookColumns, hookSecretOwner } from '../auth/apps.js';
import { newSigningSecret } from '../webhooks/signature.js';
import { checkWebhookUrl, type WebhookUrlRules } from '../webhooks/webhook-url.js';

/** The hook's time budget and failure rule when a settings change leaves them out. */
export const HOOK_DEFAULTS = { timeoutMs: 1000, onFailure: 'allow' } as const;

/** What a settings change does to the before-send hook: the columns to write, and a secret it created, to show once. */
export interface HookChange {
  columns: HookColumns;
  /** The new `whsec_…` secret, when the change set the first hook or rotated its secret. */
  secret: string | undefined;
}

/**
 * Works out the before-send hook's part of `PATCH /api/app`:
 * - `beforeSendHook: { url, timeoutMs?, onFailure? }` sets the hook as a
 *   whole (left-out fields take their defaults). The first hook gets a new
 *   signing secret; changing an existing one keeps its secret, so the
 *   receiver need not change.
 * - `beforeSendHook: null` removes the hook and forgets its secret.
 * - `rotateBeforeSendHookSecret: true` gives the hook a new secret at once.
 *
 * The URL is judged by the webhooks' own check (`webhook_url_refused`).
 * Undefined when the change does not touch the hook. Two first-time PATCHes
 * racing each make a secret and the later write wins: set the hook once.
 */
export async function hookChange(
  app: AppRecord,
  patch: Pick<UpdateAppBody, 'beforeSendHook' | 'rotateBeforeSendHookSecret'>,
  rules: WebhookUrlRules,
  secrets: SecretBox,
): Promise<HookChange | undefined> {
  const settings = patch.beforeSendHook;
  const rotate = patch.rotateBeforeSendHookSecret === true;
  if (settings === undefined && !rotate) return undefined;
  if (settings === null) {
    if (rotate) throw new ApiError('validation_failed', 'body/rotateBeforeSendHookSecret needs a hook: it cannot go with beforeSendHook: null');
    return { columns: { before_send_url: null, before_send_secret: null, before_send_timeout_ms: HOOK_DEFAULTS.timeoutMs, before_send_on_failure: HOOK_DEFAULTS.onFailure }, secret: undefined };
  }
  if (settings === undefined && app.beforeSendHook === null) {
    throw new ApiError('validation_failed', 'body/rotateBeforeSendHookSecret: the app has no before-send hook; set beforeSendHook first');
  }
  const secret = rotate || app.beforeSendHook === null ? newSigningSecret() : undefined;
  const columns: HookColumns = secret === undefined ? {} : { before_send_secret: secrets.seal(secret, hookSecretOwner(app.id)) };
  if (settings) {
    columns.before_send_url = await checkWebhookUrl(settings.url, rules);
    columns.before_send_timeout_ms = settings.timeoutMs ?? HOOK_DEFAULTS.timeoutMs;
    columns.before_send_on_failure = settings.onFailure ?? HOOK_DEFAULTS.onFailure;
  }
  return { columns, secret };
}
