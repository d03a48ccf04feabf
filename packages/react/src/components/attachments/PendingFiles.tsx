import type { LocalFile, LocalMessage } from '@chatsdk/core';
import type { ReactNode } from 'react';
import { formatBytes } from '../../internal/format.js';
import { useChannelContext } from '../channel-context.js';
import { localPreviewUrl } from './safe-url.js';

function percent(file: LocalFile): number {
  if (file.state === 'done') return 100;
  return file.size > 0 ? Math.min(100, Math.round((file.loaded * 100) / file.size)) : 0;
}

function Status({ file }: { file: LocalFile }): ReactNode {
  if (file.state === 'failed') {
    return (
      <span className="chat-upload-error" role="alert">
        {file.error?.code === 'file_unavailable' ? 'No longer available' : file.error?.message ?? 'Upload failed'}
      </span>
    );
  }
  const value = percent(file);
  const label = file.state === 'queued' ? 'Waiting…' : file.state === 'done' ? 'Uploaded' : `${value}%`;
  return (
    <span className="chat-upload-status">
      <span className="chat-upload-bar" role="progressbar" aria-label={`Uploading ${file.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value}>
        <span className="chat-upload-bar-fill" style={{ width: `${value}%` }} />
      </span>
      <span className="chat-upload-label">
        {label} · {formatBytes(file.size)}
      </span>
    </span>
  );
}

/** The files of a message being sent: a local preview, a progress bar and a cancel button each (remove, when one failed). */
export function PendingFiles({ message }: { message: LocalMessage }): ReactNode {
  const { channel } = useChannelContext();
  const files = message.files ?? [];
  if (files.length === 0 || message.status === 'sent') return null;
  return (
    <ul className="chat-pending-files" aria-label="Files being sent">
      {files.map((file) => {
        const preview = file.kind === 'image' ? localPreviewUrl(file.previewUrl) : undefined;
        const cancel = file.state === 'failed' ? `Remove ${file.name}` : `Cancel upload of ${file.name}`;
        return (
          <li key={file.id} className="chat-pending-file" data-state={file.state} data-kind={file.kind}>
            {preview ? <img className="chat-pending-file-preview" src={preview} alt={file.name} /> : <span className="chat-pending-file-name">{file.name}</span>}
            <Status file={file} />
            {file.state === 'done' ? null : (
              <button type="button" className="chat-icon-button chat-pending-file-cancel" aria-label={cancel} onClick={() => channel.cancelFile(message.id, file.id)}>
                ✕
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
