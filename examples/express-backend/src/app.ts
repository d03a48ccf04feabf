import { ChatSDK } from '@chatsdk/node';
import express, { type Express } from 'express';
import { Accounts } from './accounts.js';
import { chatTokenRoute } from './chat-token.js';
import { Sessions } from './sessions.js';
import { type EventHandler, webhookRouter } from './webhooks.js';

/** What the example needs to run. */
export interface AppOptions {
  /** ChatSDK's URL, for the backend's calls and for the frontend's client. */
  chatApiUrl: string;
  /** The app's API key: read from the environment, never sent to a browser. */
  chatApiKey: string;
  /** The webhook's `whsec_…` secret, or two during a rotation. */
  webhookSecrets: readonly string[];
  /** Your users; the example has its own few. */
  accounts: readonly { id: string; name: string; password: string }[];
  /** What to do with each verified event; by default it is logged. */
  onEvent?: EventHandler;
}

/** The example backend: login, chat tokens for the logged-in user, and the webhook receiver. */
export function createApp(options: AppOptions): Express {
  const chat = new ChatSDK({ apiUrl: options.chatApiUrl, apiKey: options.chatApiKey });
  const accounts = new Accounts(options.accounts);
  const sessions = new Sessions(accounts);
  const app = express();
  app.disable('x-powered-by');

  // Mounted before any JSON parser, so the webhook route sees the body's bytes as they were signed.
  app.use(webhookRouter(options.webhookSecrets, options.onEvent ?? logEvent));
  app.use(express.json({ limit: '16kb' }));

  app.post('/api/auth/login', (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const user = typeof username === 'string' && typeof password === 'string' ? accounts.check(username, password) : undefined;
    if (!user) {
      res.status(401).json({ error: { code: 'bad_credentials', message: 'wrong username or password' } });
      return;
    }
    sessions.start(res, user);
    res.json({ user });
  });

  app.post('/api/auth/chat-token', sessions.requireUser(), chatTokenRoute(chat, options.chatApiUrl));
  return app;
}

function logEvent(event: Parameters<EventHandler>[0], webhookId: string): void {
  console.log(JSON.stringify({ webhookId, type: event.type, timestamp: event.timestamp }));
}
