import type { ReactNode } from 'react';
import { formatBytes } from '../../internal/format.js';
import { extension } from '../attachments/FileCard.js';
import type { StagedFile } from './use-composer-files.js';

/** Props of `<ComposerFiles>`. */
export interface ComposerFilesProps {
  files: readonly StagedFile[];
  onRemove: (id: string) => void;
  /** Files left out of the last add for being past the limit. */
  refused?: number;
}

/** The files waiting in the composer: a thumbnail (images) or the name, the size, and a remove button each. */
export function ComposerFiles({ files, onRemove, refused = 0 }: ComposerFilesProps): ReactNode {
  if (files.length === 0 && refused === 0) return null;
  return (
    <div className="chat-composer-files">
      <ul aria-label="Files to send">
        {files.map(({ id, file, previewUrl }) => (
          <li key={id} className="chat-composer-file">
            {previewUrl ? (
              <img className="chat-composer-file-preview" src={previewUrl} alt="" />
            ) : (
              <span className="chat-file-icon" aria-hidden="true">
                {extension(file.name)}
              </span>
            )}
            <span className="chat-composer-file-body">
              <span className="chat-composer-file-name">{file.name}</span>
              <span className="chat-file-size">{formatBytes(file.size)}</span>
            </span>
            <button type="button" className="chat-icon-button" aria-label={`Remove ${file.name}`} onClick={() => onRemove(id)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      {refused > 0 ? (
        <p className="chat-composer-files-note" role="status">
          {refused === 1 ? 'One file was' : `${refused} files were`} left out: a message holds at most {files.length} files.
        </p>
      ) : null}
    </div>
  );
}
