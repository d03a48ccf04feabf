import { type ReactNode, useRef } from 'react';

/** Props of `<AttachButton>`. */
export interface AttachButtonProps {
  /** The files picked. */
  onFiles: (files: File[]) => void;
  /** Limits what the picker offers, as `<input accept>` does (`image/*`, `.pdf`). */
  accept?: string;
}

/** The composer's attach button: it opens the system's file picker (several files at once). */
export function AttachButton({ onFiles, accept }: AttachButtonProps): ReactNode {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="chat-icon-button chat-attach" aria-label="Attach files" onClick={() => picker.current?.click()}>
        +
      </button>
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        className="chat-file-input"
        aria-label="Attach files"
        {...(accept ? { accept } : {})}
        onChange={(event) => {
          if (event.target.files) onFiles([...event.target.files]);
          // The same file can be picked again after it was removed.
          event.target.value = '';
        }}
      />
    </>
  );
}
