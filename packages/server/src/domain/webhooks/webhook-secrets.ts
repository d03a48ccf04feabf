/**
 * The owner a webhook's signing secret is sealed to in the secret box. Binding
 * the sealed value to its app and webhook means a secret copied into another
 * row does not open there.
 */
export function webhookSecretOwner(appId: string, id: string): string {
  return `webhooks.secret:${appId}:${id}`;
}
