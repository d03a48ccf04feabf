import { useCallback, useEffect, useState } from 'react';

/** The two themes; the choice is kept in localStorage, the first default follows the system's. */
export type Theme = 'light' | 'dark';

const KEY = 'chatsdk-demo:theme';

function initial(): Theme {
  const kept = localStorage.getItem(KEY);
  if (kept === 'light' || kept === 'dark') return kept;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The theme, for `<ChatTheme>` (which @chatsdk/react's styles and the app's read), and a toggle. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    localStorage.setItem(KEY, theme);
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  const toggle = useCallback(() => setTheme((t) => (t === 'light' ? 'dark' : 'light')), []);
  return [theme, toggle];
}
