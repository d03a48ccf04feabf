import { type FormEvent, type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** Reasons `ReportForm` offers (besides none). */
export const REPORT_REASONS: readonly string[] = ['Spam', 'Harassment', 'Hate speech', 'Inappropriate content'];

/** Props of `<ReportForm>`. */
export interface ReportFormProps {
  /** Called with the reason given (undefined for none); resolves once reported. */
  onReport: (reason: string | undefined) => Promise<unknown>;
  onClose: () => void;
  reasons?: readonly string[];
}

/** A small form reporting a message: an optional reason, Report and Cancel; Escape closes. */
export function ReportForm({ onReport, onClose, reasons = REPORT_REASONS }: ReportFormProps): ReactNode {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [below, setBelow] = useState(false);
  const box = useRef<HTMLSelectElement>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => box.current?.focus(), []);
  // It opens above the message; one at the top of the list would have it cut off by the scroller: then below.
  useLayoutEffect(() => {
    const node = form.current;
    const top = node?.closest('[data-chat-scroller]')?.getBoundingClientRect().top ?? 0;
    if (node && node.getBoundingClientRect().top < top) setBelow(true);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailed(false);
    onReport(reason.trim() || undefined).then(onClose, () => {
      setBusy(false);
      setFailed(true);
    });
  };

  return (
    <form
      ref={form}
      className="chat-report-form"
      data-placement={below ? 'below' : 'above'}
      role="dialog"
      aria-label="Report message"
      onSubmit={submit}
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
    >
      <label className="chat-report-label">
        Reason
        <select ref={box} className="chat-report-reason" value={reason} onChange={(event) => setReason(event.target.value)}>
          <option value="">No reason given</option>
          {reasons.map((item) => (
            <option key={item} value={item}>
              {item}
            </option>
          ))}
        </select>
      </label>
      {failed ? (
        <p className="chat-report-error" role="alert">
          Could not report it; try again.
        </p>
      ) : null}
      <div className="chat-report-buttons">
        <button type="button" className="chat-button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="chat-button chat-report-submit" disabled={busy}>
          Report
        </button>
      </div>
    </form>
  );
}
