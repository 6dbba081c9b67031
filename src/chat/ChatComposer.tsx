import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { CHAT_MAX_LENGTH, CHAT_NAME_MAX_LENGTH } from '../protocol/realtime';
import { Button } from '../ui/Button';
import { AlertIcon, SendIcon } from '../ui/icons';
import { loadChatName, saveChatName } from './chat-name';

export interface ChatComposerProps {
  /** Sends; returns a reason when the message was not sent (e.g. sending too fast). */
  onSend: (name: string, text: string) => string | undefined;
  disabled: boolean;
  disabledReason?: string;
  /** The host chats as "Host" unless they choose a name; viewers must give one. */
  defaultName?: string;
  /** Changes when the server refused the last message: it is put back to try again. */
  refusedToken?: number;
}

const COUNTER_FROM = CHAT_MAX_LENGTH - 100;

/** Name (asked once, then remembered) and message. Enter sends. */
export function ChatComposer({ onSend, disabled, disabledReason, defaultName = '', refusedToken }: ChatComposerProps) {
  const nameId = useId();
  const textId = useId();
  const errorId = useId();
  const [name, setName] = useState(() => loadChatName() || defaultName);
  const [editingName, setEditingName] = useState(() => !(loadChatName() || defaultName));
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const lastSent = useRef('');
  const textRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (refusedToken === undefined) return;
    setText((current) => current || lastSent.current);
  }, [refusedToken]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmedName = name.trim();
    const trimmedText = text.trim();
    if (!trimmedName) {
      setEditingName(true);
      setError('Enter a name first, so others know who is talking.');
      return;
    }
    if (!trimmedText) return;
    const refused = onSend(trimmedName, trimmedText);
    if (refused) {
      setError(refused);
      return;
    }
    saveChatName(trimmedName);
    lastSent.current = trimmedText;
    setEditingName(false);
    setText('');
    setError(undefined);
    textRef.current?.focus();
  }

  return (
    <form className="chat-composer" onSubmit={submit} noValidate aria-label="Send a message">
      {editingName ? (
        <div className="field">
          <label className="field__label" htmlFor={nameId}>
            Your name
          </label>
          <input
            id={nameId}
            className="input"
            value={name}
            maxLength={CHAT_NAME_MAX_LENGTH}
            autoComplete="nickname"
            placeholder="How others see you"
            disabled={disabled}
            onChange={(event) => {
              setName(event.target.value);
              setError(undefined);
            }}
          />
        </div>
      ) : (
        <p className="chat-composer__as">
          Chatting as <strong>{name}</strong>
          <button type="button" className="chat-composer__change" onClick={() => setEditingName(true)}>
            Change<span className="sr-only"> your name</span>
          </button>
        </p>
      )}
      <div className="chat-composer__row">
        <label className="sr-only" htmlFor={textId}>
          Message
        </label>
        <input
          ref={textRef}
          id={textId}
          className="input"
          value={text}
          maxLength={CHAT_MAX_LENGTH}
          placeholder={disabled ? (disabledReason ?? 'Chat is unavailable') : 'Say something…'}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setError(undefined);
          }}
        />
        <Button type="submit" variant="primary" disabled={disabled || !text.trim()} icon={<SendIcon className="btn__icon" />}>
          Send
        </Button>
      </div>
      <div className="chat-composer__meta">
        {error ? (
          <p id={errorId} className="field__error">
            <AlertIcon className="btn__icon" />
            {error}
          </p>
        ) : disabled && disabledReason ? (
          <p className="field__hint">{disabledReason}</p>
        ) : null}
        {text.length >= COUNTER_FROM ? (
          <span className="field__counter" data-over={text.length >= CHAT_MAX_LENGTH || undefined}>
            {text.length} / {CHAT_MAX_LENGTH}
          </span>
        ) : null}
      </div>
    </form>
  );
}
