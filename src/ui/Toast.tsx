import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { describeError } from '../lib/errors';
import { CloseIcon } from './icons';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastInput {
  tone?: ToastTone;
  title: string;
  description?: string;
  /** What the person can do about it; shown after the description. */
  resolution?: string;
  /** How long the toast stays; errors stay longer. Hovering or focusing it pauses the timer. */
  durationMs?: number;
  /** One button, e.g. Undo; clicking it also dismisses the toast. */
  action?: ToastAction;
}

export interface ToastAction {
  label: string;
  onClick: () => void;
}

interface ToastItem extends Required<Pick<ToastInput, 'tone' | 'title' | 'durationMs'>> {
  id: number;
  description?: string;
  resolution?: string;
  action?: ToastAction;
}

export interface ToastApi {
  show(input: ToastInput): number;
  success(title: string, description?: string): number;
  /** An error toast with the error's message and resolution (ApiError carries both). */
  error(title: string, error: unknown): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);

const DEFAULT_DURATION: Record<ToastTone, number> = { info: 5000, success: 4000, error: 10000 };
const MAX_TOASTS = 4;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback((input: ToastInput) => {
    const id = nextId.current++;
    const tone = input.tone ?? 'info';
    const item: ToastItem = {
      id,
      tone,
      title: input.title,
      description: input.description,
      resolution: input.resolution,
      action: input.action,
      durationMs: input.durationMs ?? DEFAULT_DURATION[tone],
    };
    setToasts((current) => [...current, item].slice(-MAX_TOASTS));
    return id;
  }, []);

  const api = useMemo<ToastApi>(
    () => ({
      show,
      dismiss,
      success: (title, description) => show({ tone: 'success', title, description }),
      error: (title, error) => {
        const { message, resolution } = describeError(error);
        return show({ tone: 'error', title, description: message, resolution });
      },
    }),
    [show, dismiss],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastRegion toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast must be used inside <ToastProvider>.');
  return api;
}

/**
 * Two live regions that exist before any toast does (so screen readers announce additions):
 * polite for confirmations, assertive for errors. Kept outside the app root so an open
 * dialog does not make them inert.
 */
function ToastRegion({ toasts, onDismiss }: { toasts: ToastItem[]; onDismiss: (id: number) => void }) {
  if (typeof document === 'undefined') return null;
  return createPortal(
    <section className="toast-region" aria-label="Notifications" data-keep-interactive="">
      <div role="status" aria-live="polite" aria-atomic="false">
        {toasts
          .filter((toast) => toast.tone !== 'error')
          .map((toast) => (
            <Toast key={toast.id} toast={toast} onDismiss={onDismiss} />
          ))}
      </div>
      <div role="alert" aria-live="assertive" aria-atomic="false">
        {toasts
          .filter((toast) => toast.tone === 'error')
          .map((toast) => (
            <Toast key={toast.id} toast={toast} onDismiss={onDismiss} />
          ))}
      </div>
    </section>,
    document.body,
  );
}

function Toast({ toast, onDismiss }: { toast: ToastItem; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  const remaining = useRef(toast.durationMs);

  useEffect(() => {
    if (paused) return;
    const startedAt = Date.now();
    const timer = setTimeout(() => onDismiss(toast.id), remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current = Math.max(1000, remaining.current - (Date.now() - startedAt));
    };
  }, [paused, toast.id, onDismiss]);

  return (
    <div
      className={`toast toast--${toast.tone}`}
      data-testid="toast"
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <div className="toast__content">
        <p className="toast__title">{toast.title}</p>
        {toast.description ? <p className="toast__description">{toast.description}</p> : null}
        {toast.resolution ? <p className="toast__resolution">{toast.resolution}</p> : null}
      </div>
      {toast.action ? (
        <button
          type="button"
          className="btn btn--secondary btn--sm toast__action"
          onClick={() => {
            toast.action!.onClick();
            onDismiss(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      ) : null}
      <button
        type="button"
        className="btn btn--ghost btn--sm toast__close"
        aria-label="Dismiss notification"
        onClick={() => onDismiss(toast.id)}
      >
        <CloseIcon className="btn__icon" />
      </button>
    </div>
  );
}
