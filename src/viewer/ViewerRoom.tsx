import { FloatingReactions, useFloatingReactions } from '../canvas/FloatingReactions';
import { ChatPanel } from '../chat/ChatPanel';
import type { RoomStore, RoomView } from '../realtime/room-store';
import { rejectionResolution, rejectionTitle } from '../realtime/rejection-messages';
import { useRoomNotices } from '../realtime/use-room';
import { useServerClock } from '../realtime/use-server-clock';
import { useToast } from '../ui/Toast';
import { ReactionBar } from './ReactionBar';
import { ViewerStage } from './ViewerStage';

/** The live part of the viewer page: the canvas with reactions, and the chat beside it (below on phones). */
export function ViewerRoom({ title, store, view }: { title: string; store: RoomStore | undefined; view: RoomView }) {
  const toast = useToast();
  const clock = useServerClock(store);
  const reactions = useFloatingReactions();
  const connected = view.status === 'open';

  useRoomNotices(store, (notice) => {
    if (notice.type === 'reaction') return reactions.add(notice.emoji);
    if (notice.action === 'chat') return; // shown on the message itself, with Retry
    toast.show({ tone: 'error', title: rejectionTitle(notice), description: notice.message, resolution: rejectionResolution(notice) });
  });

  return (
    <main id="main" className="watch__layout">
      <div className="watch__stage-column">
        <div className="watch__canvas">
          <ViewerStage title={title} view={view} clock={clock} overlay={<FloatingReactions items={reactions.items} />} />
        </div>
        <ReactionBar disabled={!connected} onReact={(emoji) => store?.room.react(emoji)} />
      </div>
      <ChatPanel
        className="watch__chat"
        messages={view.chat}
        audience="viewer"
        hidden={view.snapshot.canvas.chatHidden === true}
        pending={view.pendingChat}
        connected={connected && view.online}
        onSend={(name, text) => store?.sendChat(name, text)}
        onRetry={(id) => store?.retryChat(id)}
        onDiscard={(id) => store?.discardChat(id)}
      />
    </main>
  );
}
