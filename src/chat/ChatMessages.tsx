import { useLayoutEffect, useRef } from 'react';
import type { ChatMessage } from '../protocol/realtime';
import type { PendingChat } from '../realtime/room-store';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The conversation, oldest first. Text is rendered as text, never as HTML. It follows new
 * messages while the reader is at the bottom, and stays put while they scroll back.
 */
export function ChatMessages({
  messages,
  pending = [],
  emptyText,
  onRetry,
  onDiscard,
}: {
  messages: readonly ChatMessage[];
  pending?: readonly PendingChat[];
  emptyText: string;
  onRetry?: (localId: number) => void;
  onDiscard?: (localId: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages, pending]);

  return (
    <div
      ref={scroller}
      className="chat__scroller"
      role="log"
      aria-label="Chat messages"
      tabIndex={0}
      onScroll={(event) => {
        const element = event.currentTarget;
        stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
      }}
    >
      {messages.length === 0 && pending.length === 0 ? (
        <p className="chat__empty">{emptyText}</p>
      ) : (
        <ol className="chat__messages">
          {messages.map((message) => (
            <li key={message.id} className="chat-message" data-role={message.role}>
              <div className="chat-message__meta">
                <Sender message={message} />
                <time className="chat-message__time" dateTime={new Date(message.at).toISOString()}>
                  {timeFormat.format(message.at)}
                </time>
              </div>
              <p className="chat-message__text">{message.text}</p>
            </li>
          ))}
          {pending.map((message) => (
            <li key={`pending-${message.localId}`} className="chat-message chat-message--pending" data-status={message.status}>
              <div className="chat-message__meta">
                <span className="chat-message__name">{message.name}</span>
                <span className="chat-message__state" role="status">
                  {message.status === 'waiting' ? 'Waiting for the connection…' : message.status === 'sending' ? 'Sending…' : 'Not sent'}
                </span>
              </div>
              <p className="chat-message__text">{message.text}</p>
              {message.status === 'failed' ? (
                <p className="chat-message__failure">
                  {message.reason}{' '}
                  <button type="button" className="chat-message__action" onClick={() => onRetry?.(message.localId)}>
                    Retry
                  </button>
                  <button type="button" className="chat-message__action" onClick={() => onDiscard?.(message.localId)}>
                    Discard
                  </button>
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/**
 * The sender's name. The server sets `role`, so the "Host" pill (not the name, which anyone
 * can choose) is what marks the host; a host chatting as "Host" gets just the pill.
 */
function Sender({ message }: { message: ChatMessage }) {
  if (message.role !== 'host') return <span className="chat-message__name">{message.name}</span>;
  if (message.name === 'Host') return <span className="chat-message__host">Host</span>;
  return (
    <>
      <span className="chat-message__name">{message.name}</span>
      <span className="chat-message__host">Host</span>
    </>
  );
}
