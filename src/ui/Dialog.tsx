import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';
import { Button } from './Button';

export interface DialogProps {
  open: boolean;
  /** The dialog's accessible name. */
  title: ReactNode;
  description?: ReactNode;
  /** Called on Escape, on a click outside, and by the caller's own cancel buttons. */
  onClose: () => void;
  /** While false (an action runs), Escape and outside clicks do not close. */
  dismissible?: boolean;
  /** The element to focus first; defaults to the first focusable element. */
  initialFocusRef?: RefObject<HTMLElement | null>;
  children?: ReactNode;
  actions?: ReactNode;
}

/**
 * A modal dialog: the platform's `<dialog>` opened with `showModal()`, which puts it in the
 * top layer, makes the rest of the page inert (focus and screen readers stay inside), closes
 * on Escape (a `cancel` event, refused while not dismissible) and returns focus to the opener.
 */
export function Dialog({
  open,
  title,
  description,
  onClose,
  dismissible = true,
  initialFocusRef,
  children,
  actions,
}: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      initialFocusRef?.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, initialFocusRef]);

  // Unmounting an open dialog (e.g. navigating away) must not leave the page inert.
  useEffect(() => () => dialogRef.current?.close(), []);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        // Escape: the dialog closes only through onClose, so `open` stays the truth.
        event.preventDefault();
        if (dismissible) onClose();
      }}
      onClick={(event) => {
        // The panel fills the dialog, so a click on the dialog itself is on its backdrop.
        if (event.target === event.currentTarget && dismissible) onClose();
      }}
    >
      {open ? (
        <div className="dialog__panel">
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          {description ? (
            <div id={descriptionId} className="dialog__description">
              {description}
            </div>
          ) : null}
          {children}
          {actions ? <div className="dialog__actions">{actions}</div> : null}
        </div>
      ) : null}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  tone?: 'primary' | 'danger';
  /** True while the confirmed action runs: the confirm button shows progress and the dialog stays open. */
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A yes/no question. Focus starts on Cancel, so Enter never confirms a destructive action by accident. */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'primary',
  busy = false,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      open={open}
      title={title}
      description={description}
      onClose={onCancel}
      dismissible={!busy}
      initialFocusRef={cancelRef}
      actions={
        <>
          <Button ref={cancelRef} onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button variant={tone} onClick={onConfirm} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    />
  );
}
