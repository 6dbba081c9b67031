import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useIdTokenEmail } from '../auth/HostHeader';
import { useOptionalAppConfig } from '../config';
import { MediaRuntimeProvider } from '../media/media-context';
import { useSessionsApi } from '../api/context';
import { FloatingReactions, useFloatingReactions } from '../canvas/FloatingReactions';
import { frontZ } from '../canvas/geometry';
import { ChatPanel } from '../chat/ChatPanel';
import { getAccessToken } from '../config/amplify';
import { useBeforeUnload } from '../lib/use-before-unload';
import type { Session } from '../protocol/session';
import { checkSessionWith } from '../realtime/check-session';
import { rejectionResolution, rejectionTitle } from '../realtime/rejection-messages';
import { RoomProvider } from '../realtime/room-context';
import { useRoom, useRoomNotices } from '../realtime/use-room';
import { useServerClock } from '../realtime/use-server-clock';
import { waitForStatus } from '../realtime/wait-for-status';
import { EndSessionDialog, type EndedSession } from '../sessions/EndSessionDialog';
import { viewerLink, watchPath } from '../sessions/links';
import { useTileRegistry } from '../tiles/registry-context';
import { TileSessionContext } from '../tiles/session-context';
import { Button, ButtonLink } from '../ui/Button';
import { CopyLink } from '../ui/CopyLink';
import { FullPageMessage } from '../ui/EmptyState';
import { ExternalLinkIcon, SearchIcon, StopIcon, WifiOffIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { ConnectionStatus, GoLiveButton, LiveBadge, offlineMessage, ViewerCount } from './LiveControls';
import { StudioBar } from './StudioBar';
import { StudioCanvas } from './StudioCanvas';
import { NoTileSelected, TileInspector } from './TileInspector';
import { TilePalette } from './TilePalette';
import { useCanvasEditing } from './use-canvas-editing';
import './studio.css';

/** How long after the studio has synced its tiles' editors start downloading. */
const PRELOAD_DELAY_MS = 1000;

/** The host's microphone (media code loads in its own chunk). */
const MicControl = lazy(() => import('../media/MicControl'));

/** How long "End session" waits for the server to confirm through the room before using the HTTP API. */
const END_CONFIRM_TIMEOUT_MS = 5000;

/**
 * The live studio of an active session: the room connection, the editable canvas with its
 * palette and inspector, the live controls, chat and reactions.
 */
export function StudioWorkspace({
  session,
  onEnded,
  onNotHost,
}: {
  session: Session;
  onEnded: (session: EndedSession) => void;
  onNotHost: () => void;
}) {
  const api = useSessionsApi();
  const toast = useToast();
  const registry = useTileRegistry();
  const { sessionId } = session;
  const [checkSession] = useState(() => checkSessionWith(api, sessionId));
  const { store, view } = useRoom({ sessionId, getToken: getAccessToken, checkSession });
  const clock = useServerClock(store);
  const { commands, selectedId, announcement, history } = useCanvasEditing(store);
  const reactions = useFloatingReactions();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const appConfig = useOptionalAppConfig();
  const media = appConfig?.media;
  const mediaApi = useMemo(() => (appConfig ? { httpApiUrl: appConfig.httpApiUrl, getAccessToken } : undefined), [appConfig]);
  const hostEmail = useIdTokenEmail();

  // Every tile's editor and view, downloaded once the studio is up and synced (after a short
  // pause, so they do not compete with the canvas): a tile selected later, perhaps after the
  // connection dropped, opens without waiting for the network.
  useEffect(() => {
    if (!view.synced) return;
    const timer = setTimeout(() => {
      for (const kind of registry.kinds) {
        for (const part of [kind.Editor, kind.Viewer]) void part.preload?.().catch(() => undefined);
      }
    }, PRELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [registry, view.synced]);
  const tileSession = useMemo(() => ({ sessionId }), [sessionId]);

  useRoomNotices(store, (notice) => {
    if (notice.type === 'reaction') return reactions.add(notice.emoji);
    if (notice.action === 'chat') return; // shown on the message itself, with Retry
    toast.show({ tone: 'error', title: rejectionTitle(notice), description: notice.message, resolution: rejectionResolution(notice) });
  });

  useEffect(() => {
    if (view.status === 'ended') onEnded({ sessionId, status: 'ended', endedAt: new Date().toISOString() });
    if (view.role === 'viewer') onNotHost();
  }, [view.status, view.role, sessionId, onEnded, onNotHost]);

  useBeforeUnload(view.unconfirmedCount > 0);

  const endSession = useCallback(
    async (id: string): Promise<EndedSession> => {
      if (store && store.getView().status === 'open') {
        store.room.end();
        if (await waitForStatus(store, 'ended', END_CONFIRM_TIMEOUT_MS)) return { sessionId: id, status: 'ended', endedAt: new Date().toISOString() };
      }
      return api.endSession(id);
    },
    [store, api],
  );

  if (view.status === 'refused') {
    return (
      <main id="main" className="page-main">
        <FullPageMessage
          icon={<SearchIcon />}
          title="This session can't be opened"
          description={view.reason ?? 'The live server refused the connection.'}
          actions={
            <ButtonLink to="/dashboard" variant="primary">
              Back to dashboard
            </ButtonLink>
          }
        />
      </main>
    );
  }

  const { snapshot } = view;
  const live = snapshot.canvas.live === true;
  const chatHidden = snapshot.canvas.chatHidden === true;
  const connected = view.status === 'open' && view.online && !view.stalled;
  const selectedTile = selectedId ? snapshot.tiles[selectedId] : undefined;
  const selectedKind = selectedTile ? registry.find(selectedTile.kind) : undefined;
  // A socket can look open while nothing gets through: the browser's offline event and
  // changes that wait without an ack count as offline too.
  const offline = !view.online || view.stalled || (view.everOpened && view.status !== 'open');
  const frames = Object.fromEntries(Object.entries(snapshot.tiles).map(([id, tile]) => [id, tile.frame]));

  return (
    <MediaRuntimeProvider room={store?.room} role="host" config={media} hostName={hostEmail} api={mediaApi}>
    <TileSessionContext.Provider value={tileSession}>
    <div className="studio studio--live">
      <StudioBar
        wide
        title={session.title}
        badge={<LiveBadge live={live} offline={offline} />}
        stats={
          <>
            <ConnectionStatus view={view} />
            <ViewerCount count={view.viewerCount} />
          </>
        }
        controls={
          <Suspense fallback={null}>
            <MicControl />
          </Suspense>
        }
        actions={
          <>
            <GoLiveButton live={live} disabled={!view.synced} onChange={(next) => store?.publish([{ type: 'canvas.set', set: { live: next } }])} />
            <CopyLink href={viewerLink(sessionId)} />
            <a className="btn btn--ghost studio-bar__viewer-link" href={watchPath(sessionId)} target="_blank" rel="noreferrer" title="Open viewer page">
              <ExternalLinkIcon className="btn__icon" />
              <span className="btn__label">Open viewer page</span>
            </a>
            <Button variant="danger" icon={<StopIcon className="btn__icon" />} onClick={() => setConfirmEnd(true)}>
              End session
            </Button>
          </>
        }
      />
      <RoomProvider store={store}>
      <main id="main" className={selectedKind?.wideEditor ? 'studio-workspace studio-workspace--wide-editor' : 'studio-workspace'}>
        <TilePalette onAdd={commands.add} disabled={!view.synced} history={history} onUndo={commands.undo} onRedo={commands.redo} />
        <div className="studio-workspace__stage">
          {offline ? (
            <div className="notice notice--alert studio-offline" role="status">
              <WifiOffIcon className="btn__icon" />
              <p>{offlineMessage(view.unconfirmedCount)} Keep this tab open.</p>
            </div>
          ) : null}
          <StudioCanvas
            snapshot={snapshot}
            clock={clock}
            selectedId={selectedId}
            commands={commands}
            loading={!view.synced}
            overlay={<FloatingReactions items={reactions.items} />}
          />
          <p className="sr-only" role="status" aria-live="polite">
            {announcement}
          </p>
        </div>
        <aside className="studio-workspace__side" aria-label="Tile settings and chat">
          {selectedId && selectedTile ? (
            <TileInspector
              selected={{ tileId: selectedId, tile: selectedTile, kind: selectedKind }}
              clock={clock}
              isOnTop={frontZ(frames, selectedId) === undefined}
              spotlit={snapshot.canvas.spotlight === selectedId}
              onUpdate={commands.updateState}
              onRunCode={(tileId, stdin) => store?.room.runCode(tileId, stdin)}
              onSetFrame={commands.setFrame}
              onSpotlight={commands.spotlight}
              onBringToFront={commands.bringToFront}
              onRemove={commands.remove}
              onClose={() => commands.select(undefined)}
            />
          ) : (
            <NoTileSelected />
          )}
          <ChatPanel
            messages={view.chat}
            pending={view.pendingChat}
            audience="host"
            hidden={chatHidden}
            connected={connected}
            onSend={(name, text) => store?.sendChat(name, text)}
            onRetry={(id) => store?.retryChat(id)}
            onDiscard={(id) => store?.discardChat(id)}
            headerActions={
              <label className="switch">
                <input
                  type="checkbox"
                  role="switch"
                  checked={chatHidden}
                  disabled={!view.synced}
                  onChange={(event) => store?.publish([{ type: 'canvas.set', set: { chatHidden: event.target.checked } }])}
                />
                Hide chat
              </label>
            }
          />
        </aside>
      </main>
      </RoomProvider>
      <EndSessionDialog
        target={confirmEnd ? { sessionId, title: session.title } : undefined}
        onClose={() => setConfirmEnd(false)}
        onEnded={onEnded}
        end={endSession}
      />
    </div>
    </TileSessionContext.Provider>
    </MediaRuntimeProvider>
  );
}
