import { useMemo, type ReactNode } from 'react';
import { createRateGuard } from '../lib/rate-guard';
import { rateLimits, type ChatMessage } from '../protocol/realtime';
import { ChatIcon } from '../ui/icons';
import { ChatComposer } from './ChatComposer';
import { ChatMessages } from './ChatMessages';
import './chat.css';

/**
 * The session's chat, for the host (who may hide it for everyone) and for viewers (who see
 * that it is off). Sending is paced locally to the server's limit.
 */
export function ChatPanel({
  messages,
  audience,
  hidden,
  connected,
  onSend,
  headerActions,
  refusedToken,
  className,
}: {
  messages: readonly ChatMessage[];
  audience: 'host' | 'viewer';
  hidden: boolean;
  connected: boolean;
  onSend: (name: string, text: string) => void;
  headerActions?: ReactNode;
  refusedToken?: number;
  className?: string;
}) {
  const guard = useMemo(() => createRateGuard(rateLimits.chat.max, rateLimits.chat.windowSeconds * 1000), []);

  const send = (name: string, text: string) => {
    if (!guard.tryTake()) {
      return `You're sending messages quickly. Wait ${Math.ceil(guard.waitMs() / 1000)} s, then try again.`;
    }
    onSend(name, text);
    return undefined;
  };

  const disabledReason = hidden
    ? audience === 'host'
      ? 'Chat is hidden. Show it to send messages.'
      : undefined
    : !connected
      ? 'Reconnecting… you can send again in a moment.'
      : undefined;

  return (
    <section className={['panel', 'chat', className].filter(Boolean).join(' ')} aria-labelledby={`chat-title-${audience}`}>
      <header className="panel__header">
        <h2 id={`chat-title-${audience}`} className="panel__title">
          <ChatIcon className="btn__icon" />
          Chat
        </h2>
        {headerActions}
      </header>
      {hidden && audience === 'viewer' ? (
        <div className="panel__empty">
          <ChatIcon className="panel__empty-icon" />
          <p>The host has turned chat off.</p>
        </div>
      ) : (
        <>
          {hidden ? (
            <p className="chat__notice" role="status">
              Chat is hidden for everyone. Viewers can't read or send messages.
            </p>
          ) : null}
          <ChatMessages
            messages={messages}
            emptyText={audience === 'host' ? "No messages yet. Viewers' messages appear here." : 'No messages yet. Say hello!'}
          />
          <ChatComposer
            onSend={send}
            disabled={hidden || !connected}
            disabledReason={disabledReason}
            defaultName={audience === 'host' ? 'Host' : ''}
            refusedToken={refusedToken}
          />
        </>
      )}
    </section>
  );
}
