import { useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { parseJoinInput } from '../join/parse-join-input';
import { watchPath } from '../sessions/links';
import { Button } from '../ui/Button';
import { AlertIcon, ArrowRightIcon } from '../ui/icons';

/** "Join a session": paste a session id or a viewer link, go to the viewer page. */
export function JoinForm() {
  const navigate = useNavigate();
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = parseJoinInput(value);
    if (!result.ok) {
      setError(result.message);
      inputRef.current?.focus();
      return;
    }
    navigate(watchPath(result.sessionId));
  }

  return (
    <form className="landing__join" onSubmit={onSubmit} noValidate>
      <div className="inline-form">
        <div className="field">
          <label className="field__label" htmlFor={inputId}>
            Join a session
          </label>
          <input
            ref={inputRef}
            id={inputId}
            className="input input--lg"
            type="text"
            inputMode="url"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            placeholder="Paste a viewer link or session id"
            value={value}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : hintId}
            onChange={(event) => {
              setValue(event.target.value);
              if (error) setError(undefined);
            }}
          />
          <div className="field__meta">
            {error ? (
              <p id={errorId} className="field__error">
                <AlertIcon className="btn__icon" />
                {error}
              </p>
            ) : (
              <p id={hintId} className="field__hint">
                No account needed to watch.
              </p>
            )}
          </div>
        </div>
        <Button type="submit" variant="primary" size="lg" icon={<ArrowRightIcon className="btn__icon" />}>
          Join
        </Button>
      </div>
    </form>
  );
}
