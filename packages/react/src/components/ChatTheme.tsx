import type { ReactNode } from 'react';

/** Props of `<ChatTheme>`. */
export interface ChatThemeProps {
  /** `light`, `dark`, or `system` (follows `prefers-color-scheme`; the default). */
  theme?: 'light' | 'dark' | 'system';
  className?: string;
  children?: ReactNode;
}

/** The element the stylesheet's variables live on (`.chat-root`); set `--chat-*` variables on it to theme everything inside. */
export function ChatTheme({ theme = 'system', className, children }: ChatThemeProps): ReactNode {
  return (
    <div className={['chat-root', className].filter(Boolean).join(' ')} data-theme={theme === 'system' ? undefined : theme}>
      {children}
    </div>
  );
}
