import { useMemo, type ReactNode } from 'react';
import { createRateGuard } from '../lib/rate-guard';
import { rateLimits, type ChatMessage } from '../protocol/realtime';
import type { PendingChat } from '../realtime/room-store';
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
  pending = [],
  audience,
  hidden,
  connected,
  onSend,
  onRetry,
  onDiscard,
  headerActions,
  className,
}: {
  messages: readonly ChatMessage[];
  /** This page's messages not yet confirmed by the server. */
  pending?: readonly PendingChat[];
  audience: 'host' | 'viewer';
  hidden: boolean;
  /** False while offline: messages wait (shown as pending) and go out on reconnect. */
  connected: boolean;
  onSend: (name: string, text: string) => void;
  onRetry?: (localId: number) => void;
  onDiscard?: (localId: number) => void;
  headerActions?: ReactNode;
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
            pending={pending}
            onRetry={onRetry}
            onDiscard={onDiscard}
            emptyText={audience === 'host' ? "No messages yet. Viewers' messages appear here." : 'No messages yet. Say hello!'}
          />
          <ChatComposer
            onSend={send}
            disabled={hidden}
            disabledReason={disabledReason}
            offline={!connected}
            defaultName={audience === 'host' ? 'Host' : ''}
          />
        </>
      )}
    </section>
  );
}
