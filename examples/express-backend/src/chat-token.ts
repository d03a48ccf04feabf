import { type ChatSDK, ChatSDKError } from '@chatsdk/node';
import type { Request, Response } from 'express';
import type { AppUser } from './accounts.js';

/**
 * `POST /api/auth/chat-token`: the logged-in user's ChatSDK tokens. The API
 * key stays in this process; the browser gets only `token` and `wsToken`,
 * which it hands to `@chatsdk/core` (and calls again to renew them).
 */
export function chatTokenRoute(chat: ChatSDK, apiUrl: string) {
  return async (_req: Request, res: Response): Promise<void> => {
    const user = res.locals.user as AppUser;
    try {
      const { token, wsToken, expiresIn } = await chat.createToken({ userId: user.id, name: user.name });
      res.set('Cache-Control', 'no-store').json({ token, wsToken, expiresIn, apiUrl, userId: user.id });
    } catch (error) {
      // The browser learns that chat is unavailable, never ChatSDK's details (nor anything about the key).
      const requestId = error instanceof ChatSDKError ? error.requestId : undefined;
      console.error('chat token failed', { code: error instanceof ChatSDKError ? error.code : 'unknown', requestId });
      res.status(502).json({ error: { code: 'chat_unavailable', message: 'chat is unavailable, try again later' } });
    }
  };
}
