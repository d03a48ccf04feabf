import { ChatClient, type ChatClientOptions, type TokenProvider, type UnauthorizedContext } from '@chatsdk/core';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { ChatClientContext } from './context.js';
import { connectionLease } from './connection.js';
import { tokenUser } from './token-user.js';

/** Props of `<ChatProvider>`: the guide's `apiUrl wsUrl token wsToken`, a `tokenProvider`, or an existing `client`. */
export interface ChatProviderProps {
  /** The server, such as `https://chat.example.com`. Ignored when `client` is given. */
  apiUrl?: string;
  /** The WebSocket endpoint; default `ws(s)://<apiUrl host>/ws`. */
  wsUrl?: string;
  /** The REST token from `POST /tokens`. */
  token?: string;
  /** The WebSocket token from `POST /tokens`. */
  wsToken?: string;
  /** Renews both tokens; without `token`/`wsToken`, also fetches the first pair (children wait, showing `fallback`). */
  tokenProvider?: TokenProvider;
  /** A client made elsewhere: the provider connects it while mounted and does not create one. */
  client?: ChatClient;
  /** More options for the client the provider creates (`WebSocket`, `fetch`, `storage`, timeouts). */
  options?: Partial<Omit<ChatClientOptions, 'apiUrl' | 'wsUrl' | 'token' | 'wsToken' | 'tokenProvider'>>;
  /** Connect while mounted (default true); false leaves `connect()` to you. */
  connect?: boolean;
  /** Called when the tokens were refused and could not be renewed. */
  onUnauthorized?: (ctx: UnauthorizedContext) => void;
  /** Shown while the first tokens are being fetched from `tokenProvider`. */
  fallback?: ReactNode;
  children?: ReactNode;
}

interface Made {
  key: string;
  client: ChatClient;
}

/**
 * Gives its tree a `ChatClient` and keeps it connected while mounted:
 * `<ChatProvider apiUrl wsUrl token wsToken>`. New tokens of the same user
 * are handed to the client (`setTokens`); another server or another user
 * makes another client (and the old one disconnects).
 */
export function ChatProvider(props: ChatProviderProps): ReactNode {
  const { client: given, apiUrl, wsUrl, token, wsToken, tokenProvider, connect = true, onUnauthorized, fallback = null, children } = props;
  const [fetched, setFetched] = useState<{ token: string; wsToken: string } | null>(null);
  const made = useRef<Made | null>(null);
  const providerRef = useRef(tokenProvider);
  providerRef.current = tokenProvider;
  const optionsRef = useRef(props.options);

  const tokens = token && wsToken ? { token, wsToken } : fetched;
  let client: ChatClient | null = given ?? null;
  if (!client && apiUrl && tokens) {
    // Another server, or tokens of another user, make another client; new tokens of the same user are handed over.
    const key = `${apiUrl}\n${wsUrl ?? ''}\n${tokenUser(tokens.token) ?? ''}`;
    if (made.current?.key !== key) {
      const renew: TokenProvider | undefined = tokenProvider ? () => (providerRef.current as TokenProvider)() : undefined;
      made.current = { key, client: new ChatClient({ ...optionsRef.current, apiUrl, ...(wsUrl ? { wsUrl } : {}), ...tokens, ...(renew ? { tokenProvider: renew } : {}) }) };
    }
    client = made.current.client;
  }

  // Only a tokenProvider: ask it for the first pair.
  const needsTokens = !given && !(token && wsToken) && !fetched && tokenProvider !== undefined;
  useEffect(() => {
    if (!needsTokens) return;
    let live = true;
    (providerRef.current as TokenProvider)().then(
      (pair) => live && setFetched({ token: pair.token, wsToken: pair.wsToken }),
      (error: unknown) => console.error('ChatProvider: tokenProvider failed', error),
    );
    return () => {
      live = false;
    };
  }, [needsTokens]);

  // Tokens given anew for the same client (the app refreshed them itself).
  useEffect(() => {
    if (client && !given && token && wsToken) client.setTokens({ token, wsToken });
  }, [client, given, token, wsToken]);

  useEffect(() => {
    if (!client || !connect) return;
    return connectionLease(client).acquire();
  }, [client, connect]);

  useEffect(() => {
    if (!client || !onUnauthorized) return;
    const sub = client.on('unauthorized', onUnauthorized);
    return () => sub.remove();
  }, [client, onUnauthorized]);

  if (!client) return fallback;
  return <ChatClientContext.Provider value={client}>{children}</ChatClientContext.Provider>;
}
