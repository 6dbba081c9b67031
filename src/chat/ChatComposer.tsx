import { useId, useRef, useState, type FormEvent } from 'react';
import { CHAT_MAX_LENGTH, CHAT_NAME_MAX_LENGTH } from '../protocol/realtime';
import { Button } from '../ui/Button';
import { AlertIcon, SendIcon } from '../ui/icons';
import { loadChatName, saveChatName } from './chat-name';

export interface ChatComposerProps {
  /** Sends; returns a reason when the message was not sent (e.g. sending too fast). */
  onSend: (name: string, text: string) => string | undefined;
  disabled: boolean;
  disabledReason?: string;
  /** Offline: sending still works, the message waits for the connection. */
  offline?: boolean;
  /** The host chats as "Host" unless they choose a name; viewers must give one. */
  defaultName?: string;
}

/** The counter appears this close to the limit. */
const COUNTER_FROM = CHAT_MAX_LENGTH - 100;

/** Name (asked once, then remembered) and message. Enter sends. */
export function ChatComposer({ onSend, disabled, disabledReason, offline = false, defaultName = '' }: ChatComposerProps) {
  const nameId = useId();
  const textId = useId();
  const errorId = useId();
  const counterId = useId();
  const [name, setName] = useState(() => loadChatName() || defaultName);
  const [editingName, setEditingName] = useState(() => !(loadChatName() || defaultName));
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const textRef = useRef<HTMLInputElement>(null);
  // Counted as the server counts: after trimming, in UTF-16 code units (zod's max).
  const length = text.trim().length;
  const over = length - CHAT_MAX_LENGTH;

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
    if (over > 0) {
      setError(tooLongMessage(over));
      return;
    }
    const refused = onSend(trimmedName, trimmedText);
    if (refused) {
      setError(refused);
      return;
    }
    saveChatName(trimmedName);
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
          placeholder={disabled ? (disabledReason ?? 'Chat is unavailable') : offline ? 'Offline: sent when you reconnect' : 'Say something…'}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={error || over > 0 ? true : undefined}
          aria-describedby={[error ? errorId : '', length >= COUNTER_FROM ? counterId : ''].filter(Boolean).join(' ') || undefined}
          onChange={(event) => {
            setText(event.target.value);
            setError(undefined);
          }}
        />
        <Button type="submit" variant="primary" disabled={disabled || !text.trim() || over > 0} icon={<SendIcon className="btn__icon" />}>
          Send
        </Button>
      </div>
      <div className="chat-composer__meta">
        {error ? (
          <p id={errorId} className="field__error">
            <AlertIcon className="btn__icon" />
            {error}
          </p>
        ) : over > 0 ? (
          <p className="field__error" role="alert">
            <AlertIcon className="btn__icon" />
            {tooLongMessage(over)}
          </p>
        ) : disabled && disabledReason ? (
          <p className="field__hint">{disabledReason}</p>
        ) : null}
        {length >= COUNTER_FROM ? (
          <span id={counterId} className="field__counter" data-over={over > 0 || undefined} aria-live="polite">
            {length} / {CHAT_MAX_LENGTH}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function tooLongMessage(over: number): string {
  return `${over} ${over === 1 ? 'character' : 'characters'} over the ${CHAT_MAX_LENGTH}-character limit. Shorten the message to send it.`;
}
