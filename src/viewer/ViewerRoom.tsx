import { FloatingReactions, useFloatingReactions } from '../canvas/FloatingReactions';
import { ChatPanel } from '../chat/ChatPanel';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useOptionalAppConfig } from '../config';
import { MediaRuntimeProvider } from '../media/media-context';
import { sessionAudioRefs } from '../media/session-audio-refs';
import type { RoomStore, RoomView } from '../realtime/room-store';
import { rejectionResolution, rejectionTitle } from '../realtime/rejection-messages';
import { useRoomNotices } from '../realtime/use-room';
import { useServerClock } from '../realtime/use-server-clock';
import { useToast } from '../ui/Toast';
import { ReactionBar } from './ReactionBar';
import { ViewerStage } from './ViewerStage';

/** Loaded only when the session has sound (the host's mic or a tab's audio). */
const SessionAudio = lazy(() => import('../media/SessionAudio'));

/** The live part of the viewer page: the canvas with reactions, and the chat beside it (below on phones). */
export function ViewerRoom({ title, store, view }: { title: string; store: RoomStore | undefined; view: RoomView }) {
  const toast = useToast();
  const clock = useServerClock(store);
  const reactions = useFloatingReactions();
  const [chatRefusals, setChatRefusals] = useState<number>();
  const connected = view.status === 'open';
  const appConfig = useOptionalAppConfig();
  const media = appConfig?.media;
  const mediaApi = useMemo(() => (appConfig ? { httpApiUrl: appConfig.httpApiUrl } : undefined), [appConfig]);
  const live = view.synced && view.snapshot.canvas.live === true;
  const audioRefs = useMemo(() => (live ? sessionAudioRefs(view.snapshot) : []), [live, view.snapshot]);

  useRoomNotices(store, (notice) => {
    if (notice.type === 'reaction') return reactions.add(notice.emoji);
    if (notice.action === 'chat') setChatRefusals((n) => (n ?? 0) + 1);
    toast.show({ tone: 'error', title: rejectionTitle(notice), description: notice.message, resolution: rejectionResolution(notice) });
  });

  return (
    <MediaRuntimeProvider room={store?.room} role="viewer" config={media} api={mediaApi}>
    <main id="main" className="watch__layout">
      <div className="watch__stage-column">
        <div className="watch__canvas">
          <ViewerStage
            title={title}
            view={view}
            clock={clock}
            overlay={
              <>
                <FloatingReactions items={reactions.items} />
                {audioRefs.length > 0 ? (
                  <Suspense fallback={null}>
                    <SessionAudio refs={audioRefs} micMuted={view.snapshot.canvas.micMuted === true} />
                  </Suspense>
                ) : null}
              </>
            }
          />
        </div>
        <ReactionBar disabled={!connected} onReact={(emoji) => store?.room.react(emoji)} />
      </div>
      <ChatPanel
        className="watch__chat"
        messages={view.chat}
        audience="viewer"
        hidden={view.snapshot.canvas.chatHidden === true}
        connected={connected}
        refusedToken={chatRefusals}
        onSend={(name, text) => store?.room.chat(name, text)}
      />
    </main>
    </MediaRuntimeProvider>
  );
}
