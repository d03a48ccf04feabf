import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ChatTokenError, fetchChatTokens } from './chat-tokens.js';
import { joinDemoChannels } from './demo-channels.js';
import { SESSION_COOKIE, readCookie, sessionCookie } from './cookies.js';
import { RateLimiter } from './rate-limit.js';
import { SessionStore } from './sessions.js';
import { serveSinglePageApp } from './static-files.js';
import { DEMO_ACCOUNTS, checkPassword, findUser, type DemoUser } from './users.js';

/** How the backend reaches ChatSDK and what it serves. */
export interface BackendOptions {
  /** ChatSDK as this backend reaches it, such as `http://127.0.0.1:5500`. */
  chatUrl: string;
  /** The app's API key: used server to server only, never sent to a browser. */
  apiKey: string;
  /** ChatSDK as browsers reach it; default: the host the page was loaded from, on `chatUrl`'s port. */
  publicChatUrl?: string;
  /** The built demo (`examples/react-chat/dist`) to serve at `/`; nothing is served there without it. */
  staticDir?: string;
  /** How long a login lasts. Default 12 hours. */
  sessionTtlMs?: number;
  /** Chat token requests per user: `limit` in any `windowMs`. Default 10 a minute. */
  tokenRateLimit?: { limit: number; windowMs: number };
  /** Login attempts per user name: default 10 a minute. */
  loginRateLimit?: { limit: number; windowMs: number };
  /** Put the demo accounts and their passwords in `GET /api/config` for the login screen. Default true. */
  showDemoAccounts?: boolean;
  /** Mark the session cookie `Secure` (when served over HTTPS). Default false. */
  secureCookies?: boolean;
  /** Put each user in the demo's channels (#general, #random) when they get tokens. Default true. */
  joinDemoChannels?: boolean;
  /** Fastify's logger option. Default off. */
  logger?: boolean | { level: string };
}

type ErrorCode =
  | 'invalid_body'
  | 'invalid_credentials'
  | 'not_logged_in'
  | 'cross_origin'
  | 'rate_limited'
  | 'not_found'
  | ChatTokenError['code'];

function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message, status } });
}

function refuseRateLimited(reply: FastifyReply, retryAfterSeconds: number, what: string): FastifyReply {
  reply.header('Retry-After', String(retryAfterSeconds));
  return sendError(reply, 429, 'rate_limited', `too many ${what}; try again in ${retryAfterSeconds} s`);
}

function publicChatUrl(options: BackendOptions, request: FastifyRequest): string {
  if (options.publicChatUrl) return options.publicChatUrl.replace(/\/+$/, '');
  const chat = new URL(options.chatUrl);
  // The page's own host name, so that a demo opened as http://my-laptop:5501 reaches chat on my-laptop too.
  const host = request.hostname.replace(/:\d+$/, '');
  return `${request.protocol}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${chat.port || (chat.protocol === 'https:' ? 443 : 80)}`;
}

/**
 * The sample "your backend": its own users and sessions, and
 * `POST /api/auth/chat-token`, which asks ChatSDK for the logged-in user's
 * tokens with the API key it alone holds.
 */
export function buildBackend(options: BackendOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 16 * 1024 });
  const sessionTtlMs = options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const sessions = new SessionStore(sessionTtlMs);
  const tokenLimit = options.tokenRateLimit ?? { limit: 10, windowMs: 60_000 };
  const loginLimit = options.loginRateLimit ?? { limit: 10, windowMs: 60_000 };
  const tokenLimiter = new RateLimiter(tokenLimit.limit, tokenLimit.windowMs);
  const loginLimiter = new RateLimiter(loginLimit.limit, loginLimit.windowMs);
  const secure = options.secureCookies ?? false;
  // Users already put in the demo channels by this process: once is enough.
  const joined = new Set<string>();

  const currentUser = (request: FastifyRequest): DemoUser | undefined => {
    const session = sessions.get(readCookie(request.headers.cookie, SESSION_COOKIE));
    return session && findUser(session.userId);
  };

  // Writes come from the demo's own pages only: a form on another site cannot log in or spend the user's tokens.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const origin = request.headers.origin;
    if (origin && new URL(origin).host !== request.headers.host) {
      return sendError(reply, 403, 'cross_origin', 'requests must come from this site');
    }
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'not_found', 'no such route'));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return sendError(reply, status, 'invalid_body', status === 500 ? 'internal error' : error.message);
  });

  app.get('/api/config', async (request) => ({
    chatApiUrl: publicChatUrl(options, request),
    demoAccounts: options.showDemoAccounts === false ? [] : DEMO_ACCOUNTS.map((account) => ({ ...account })),
  }));

  app.post('/api/auth/login', {
    schema: {
      body: {
        type: 'object',
        required: ['username', 'password'],
        additionalProperties: false,
        properties: { username: { type: 'string', maxLength: 128 }, password: { type: 'string', maxLength: 256 } },
      },
    },
  }, async (request, reply) => {
    const { username, password } = request.body as { username: string; password: string };
    const limited = loginLimiter.take(username.trim().toLowerCase());
    if (!limited.allowed) return refuseRateLimited(reply, limited.retryAfterSeconds, 'login attempts');
    const user = checkPassword(username, password);
    if (!user) return sendError(reply, 401, 'invalid_credentials', 'wrong user name or password');
    const session = sessions.create(user.id);
    reply.header('Set-Cookie', sessionCookie(session.id, Math.floor(sessionTtlMs / 1000), secure));
    return { user };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    sessions.delete(readCookie(request.headers.cookie, SESSION_COOKIE));
    reply.header('Set-Cookie', sessionCookie('', 0, secure));
    return reply.code(204).send();
  });

  app.get('/api/auth/me', async (request, reply) => {
    const user = currentUser(request);
    if (!user) return sendError(reply, 401, 'not_logged_in', 'log in first');
    return { user };
  });

  app.post('/api/auth/chat-token', async (request, reply) => {
    const user = currentUser(request);
    if (!user) return sendError(reply, 401, 'not_logged_in', 'log in first');
    const limited = tokenLimiter.take(user.id);
    if (!limited.allowed) return refuseRateLimited(reply, limited.retryAfterSeconds, 'chat token requests');
    try {
      const tokens = await fetchChatTokens(options.chatUrl, options.apiKey, user);
      if (options.joinDemoChannels !== false && !joined.has(user.id)) {
        await joinDemoChannels(options.chatUrl, options.apiKey, user.id).catch((error: unknown) => {
          throw new ChatTokenError('chat_error', `could not set up the demo channels: ${error instanceof Error ? error.message : String(error)}`);
        });
        joined.add(user.id);
      }
      reply.header('Cache-Control', 'no-store');
      return { ...tokens, apiUrl: publicChatUrl(options, request) };
    } catch (error) {
      if (!(error instanceof ChatTokenError)) throw error;
      request.log.error({ code: error.code }, error.message);
      return sendError(reply, 502, error.code, error.message);
    }
  });

  if (options.staticDir) serveSinglePageApp(app, options.staticDir);
  return app;
}
