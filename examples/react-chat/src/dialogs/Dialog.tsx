import { type FormEvent, type ReactNode, useEffect, useRef } from 'react';

/** A modal form in a native <dialog>: focus trapped by the browser, Escape closes. */
export function Dialog({ title, onClose, onSubmit, children, submitLabel, busy, error }: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
  submitLabel: string;
  busy: boolean;
  error: string | null;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  // No close() on cleanup: it fires `close`, which would unmount the dialog StrictMode just re-mounted; an
  // unmounted <dialog> leaves the top layer with its element anyway.
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onClose={onClose} onCancel={onClose}>
      <form onSubmit={submit}>
        <h2>{title}</h2>
        {children}
        {error ? (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        ) : null}
        <footer className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy}>
            {submitLabel}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
