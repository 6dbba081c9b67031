import { useLayoutEffect, useRef } from 'react';
import type { ChatMessage } from '../protocol/realtime';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The conversation, oldest first. Text is rendered as text, never as HTML. It follows new
 * messages while the reader is at the bottom, and stays put while they scroll back.
 */
export function ChatMessages({ messages, emptyText }: { messages: readonly ChatMessage[]; emptyText: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

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
      {messages.length === 0 ? (
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
