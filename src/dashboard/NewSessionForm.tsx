import { useId, useRef, useState, type FormEvent } from 'react';
import { useSessionsApi } from '../api/context';
import { TITLE_MAX_LENGTH, type Session } from '../protocol/session';
import { Button } from '../ui/Button';
import { AlertIcon, PlusIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { validateTitle } from './title-validation';

/** "New session": a title (1–120 characters, checked as you type once you have tried), then create. */
export function NewSessionForm({ onCreated }: { onCreated: (session: Session) => void }) {
  const api = useSessionsApi();
  const toast = useToast();
  const inputId = useId();
  const errorId = useId();
  const counterId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);

  const error = validateTitle(title);
  const visibleError = showErrors ? error : title.trim().length > TITLE_MAX_LENGTH ? error : undefined;
  const length = title.trim().length;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (error) {
      setShowErrors(true);
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const submitted = title.trim();
      const session = await api.createSession({ title: submitted });
      onCreated(session);
      // Keep what the host typed meanwhile (the next session's title); clear only what was sent.
      setTitle((current) => (current.trim() === submitted ? '' : current));
      setShowErrors(false);
      toast.success('Session created', `“${session.title}” is ready. Open its studio to go live.`);
    } catch (caught) {
      toast.error('Could not create the session', caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate aria-labelledby={`${inputId}-heading`}>
      <h2 id={`${inputId}-heading`} className="section-title">
        Start a session
      </h2>
      <p className="muted" style={{ marginTop: 'var(--space-1)', marginBottom: 'var(--space-4)' }}>
        Give it a title your viewers will see. You can open its studio and share the link right after.
      </p>
      <div className="inline-form">
        <div className="field">
          <label className="field__label" htmlFor={inputId}>
            Session title
          </label>
          <input
            ref={inputRef}
            id={inputId}
            className="input"
            type="text"
            name="title"
            autoComplete="off"
            placeholder="e.g. Friday code review"
            value={title}
            maxLength={TITLE_MAX_LENGTH * 2}
            aria-invalid={visibleError ? true : undefined}
            aria-describedby={visibleError ? `${errorId} ${counterId}` : counterId}
            onChange={(event) => setTitle(event.target.value)}
            onBlur={() => {
              if (title !== '') setShowErrors(true);
            }}
          />
          <div className="field__meta">
            {visibleError ? (
              <p id={errorId} className="field__error">
                <AlertIcon className="btn__icon" />
                {visibleError}
              </p>
            ) : null}
            <span id={counterId} className="field__counter" data-over={length > TITLE_MAX_LENGTH}>
              {length}/{TITLE_MAX_LENGTH}
              <span className="sr-only"> characters</span>
            </span>
          </div>
        </div>
        <Button type="submit" variant="primary" busy={busy} icon={<PlusIcon className="btn__icon" />}>
          New session
        </Button>
      </div>
    </form>
  );
}
