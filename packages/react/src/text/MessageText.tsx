import { Fragment, memo, type ReactNode } from 'react';
import { useUserName } from '../hooks/use-user.js';
import { type TextToken, tokenize } from './tokens.js';

/** Props of `<MessageText>`. */
export interface MessageTextProps {
  text: string;
  /** Ids the message mentions: only these `@ids` are shown as mentions. */
  mentionedUsers?: readonly string[];
}

function Mention({ userId }: { userId: string }): ReactNode {
  const name = useUserName(userId);
  return (
    <span className="chat-mention" data-user-id={userId}>
      @{name}
    </span>
  );
}

function render(token: TextToken, key: number): ReactNode {
  switch (token.type) {
    case 'text':
      return <Fragment key={key}>{token.text}</Fragment>;
    case 'break':
      return <br key={key} />;
    case 'link':
      return (
        <a key={key} className="chat-link" href={token.href} target="_blank" rel="noopener noreferrer nofollow">
          {token.text}
        </a>
      );
    case 'mention':
      return <Mention key={key} userId={token.userId} />;
    case 'code':
      return (
        <code key={key} className="chat-code">
          {token.text}
        </code>
      );
    case 'codeBlock':
      return (
        <pre key={key} className="chat-code-block">
          <code>{token.text}</code>
        </pre>
      );
  }
}

/** Message text as React elements (links, mentions, code, line breaks): never HTML, never a `javascript:` link. */
export const MessageText = memo(function MessageText({ text, mentionedUsers }: MessageTextProps): ReactNode {
  return <>{tokenize(text, mentionedUsers).map(render)}</>;
});
