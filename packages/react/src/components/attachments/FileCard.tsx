import type { ReactNode } from 'react';
import { formatBytes } from '../../internal/format.js';
import { httpUrl } from './safe-url.js';

/** Props of `<FileCard>`. */
export interface FileCardProps {
  name: string;
  size?: number | undefined;
  url?: string | undefined;
  /** Shown under the name instead of the size (an upload's progress, an error). */
  children?: ReactNode;
}

/** "PDF", "ZIP": a file's extension, shown as its icon. */
export function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot > name.length - 6 ? name.slice(dot + 1).toUpperCase() : 'FILE';
}

/** A file: its type, name and size, and a download link when it has an http(s) URL. */
export function FileCard({ name, size, url, children }: FileCardProps): ReactNode {
  const href = httpUrl(url);
  return (
    <div className="chat-file-card" role="group" aria-label={`File ${name}`}>
      <span className="chat-file-icon" aria-hidden="true">
        {extension(name)}
      </span>
      <span className="chat-file-body">
        {href ? (
          <a className="chat-file-name" href={href} target="_blank" rel="noopener noreferrer nofollow">
            {name}
          </a>
        ) : (
          <span className="chat-file-name">{name}</span>
        )}
        {children ?? (size !== undefined ? <span className="chat-file-size">{formatBytes(size)}</span> : null)}
      </span>
      {href ? (
        <a className="chat-icon-button chat-file-download" href={href} download={name} rel="noopener noreferrer nofollow" aria-label={`Download ${name}`}>
          ↓
        </a>
      ) : null}
    </div>
  );
}
