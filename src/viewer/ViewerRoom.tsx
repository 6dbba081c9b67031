import { FloatingReactions, useFloatingReactions } from '../canvas/FloatingReactions';
import { ChatPanel } from '../chat/ChatPanel';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useOptionalAppConfig } from '../config';
import { MediaRuntimeProvider } from '../media/media-context';
import { RoomProvider } from '../realtime/room-context';
import { sessionAudioRefs } from '../media/session-audio-refs';
import type { RoomStore, RoomView } from '../realtime/room-store';
import { rejectionResolution, rejectionTitle } from '../realtime/rejection-messages';
import { useRoomNotices } from '../realtime/use-room';
import { useServerClock } from '../realtime/use-server-clock';
import { afterNextPaint } from '../lib/after-paint';
import { useToast } from '../ui/Toast';
import { ReactionBar } from './ReactionBar';
import { ViewerStage } from './ViewerStage';
import { TileSessionContext } from '../tiles/session-context';

/** Loaded only when the session has sound (the host's mic or a tab's audio). */
const SessionAudio = lazy(() => import('../media/SessionAudio'));

/** The live part of the viewer page: the canvas with reactions, and the chat beside it (below on phones). */
export function ViewerRoom({ title, sessionId, store, view }: { title: string; sessionId: string; store: RoomStore | undefined; view: RoomView }) {
  const toast = useToast();
  const clock = useServerClock(store);
  const reactions = useFloatingReactions();
  const connected = view.status === 'open';
  const restShown = useAfterFirstPaint();
  const appConfig = useOptionalAppConfig();
  const media = appConfig?.media;
  const mediaApi = useMemo(() => (appConfig ? { httpApiUrl: appConfig.httpApiUrl } : undefined), [appConfig]);
  const live = view.synced && view.snapshot.canvas.live === true;
  const audioRefs = useMemo(() => (live ? sessionAudioRefs(view.snapshot) : []), [live, view.snapshot]);
  const tileSession = useMemo(() => ({ sessionId }), [sessionId]);

  useRoomNotices(store, (notice) => {
    if (notice.type === 'reaction') return reactions.add(notice.emoji);
    if (notice.action === 'chat') return; // shown on the message itself, with Retry
    toast.show({ tone: 'error', title: rejectionTitle(notice), description: notice.message, resolution: rejectionResolution(notice) });
  });

  return (
    <MediaRuntimeProvider room={store?.room} role="viewer" config={media} api={mediaApi}>
    <RoomProvider store={store}>
    <main id="main" className="watch__layout">
      <div className="watch__stage-column">
        <div className="watch__canvas">
          <TileSessionContext.Provider value={tileSession}>
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
          </TileSessionContext.Provider>
        </div>
        {restShown ? <ReactionBar disabled={!connected} onReact={(emoji) => store?.room.react(emoji)} /> : <div className="reaction-bar reaction-bar--placeholder" />}
      </div>
      {restShown ? (
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
      ) : (
        <div className="panel watch__chat" aria-hidden="true" />
      )}
    </main>
    </RoomProvider>
    </MediaRuntimeProvider>
  );
}

/**
 * False for the first frame: the canvas is painted first, and chat and reactions (more DOM,
 * eight images) a frame later, so a joining viewer sees the tiles without waiting for them.
 */
function useAfterFirstPaint(): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => afterNextPaint(() => setShown(true)), []);
  return shown;
}
