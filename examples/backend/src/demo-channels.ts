/** The channels every demo user is put in when they first get tokens: what a company's backend provisions. */
export const DEMO_CHANNELS = [
  { id: 'general', name: 'general' },
  { id: 'random', name: 'random' },
] as const;

async function chatCall(chatUrl: string, apiKey: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${chatUrl.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

/**
 * Makes the user a member of the demo's team channels, creating them the
 * first time (with the API key, as the backend's own admin rights allow).
 * Both calls are idempotent: an existing channel is answered 200, an existing
 * member is left as they are.
 */
export async function joinDemoChannels(chatUrl: string, apiKey: string, userId: string): Promise<void> {
  for (const { id, name } of DEMO_CHANNELS) {
    const created = await chatCall(chatUrl, apiKey, '/api/channels', { type: 'team', id, name, members: [userId], createdBy: userId });
    if (created === 201) continue;
    if (created !== 200) throw new Error(`creating #${id} answered ${created}`);
    const added = await chatCall(chatUrl, apiKey, `/api/channels/${id}/members`, { userIds: [userId] });
    if (added >= 300) throw new Error(`joining #${id} answered ${added}`);
  }
}
