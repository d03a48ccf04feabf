import type { DemoUser } from './users.js';

/** The answer of ChatSDK's `POST /tokens`, as this backend passes it on. */
export interface ChatTokens {
  token: string;
  wsToken: string;
  expiresIn: number;
  user: { id: string; name: string | null };
}

/** Why ChatSDK did not give tokens; the message is safe to show (it never carries the key). */
export class ChatTokenError extends Error {
  constructor(
    readonly code: 'chat_unavailable' | 'chat_key_refused' | 'chat_error',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asks ChatSDK for the user's tokens: server to server, with the app's API
 * key, which never leaves this process.
 */
export async function fetchChatTokens(chatUrl: string, apiKey: string, user: DemoUser): Promise<ChatTokens> {
  let response: Response;
  try {
    response = await fetch(`${chatUrl.replace(/\/+$/, '')}/tokens`, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      // The role goes with every request: ChatSDK keeps what it is last told, so a demotion here takes effect too.
      body: JSON.stringify({ userId: user.id, name: user.name, role: user.role }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ChatTokenError('chat_unavailable', 'ChatSDK did not answer');
  }
  if (response.status === 401) throw new ChatTokenError('chat_key_refused', "ChatSDK refused this backend's API key");
  if (!response.ok) throw new ChatTokenError('chat_error', `ChatSDK answered ${response.status}`);
  const body = (await response.json()) as Partial<ChatTokens>;
  if (typeof body.token !== 'string' || typeof body.wsToken !== 'string' || typeof body.expiresIn !== 'number' || !body.user) {
    throw new ChatTokenError('chat_error', 'ChatSDK answered without tokens');
  }
  // Pass on only what the browser needs: nothing else of ChatSDK's answer is echoed.
  return {
    token: body.token,
    wsToken: body.wsToken,
    expiresIn: body.expiresIn,
    user: { id: body.user.id ?? user.id, name: body.user.name ?? null },
  };
}
