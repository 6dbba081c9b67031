import { useEffect, useRef, useState } from 'react';
import type { ExcalidrawImperativeAPI } from '@excalidraw/excalidraw/types';
import type { BoardViewport } from '../../protocol/board';
import { applyHostPointer, applyRemoteElements, frameBatchedApplier, initialScene, loadFiles } from './board-scene';
import type { BoardSession } from './board-session';
import { Excalidraw } from './excalidraw-lib';
import { followView } from './follow';
import './whiteboard.css';

/**
 * A viewer's board, read-only (Excalidraw's view mode), growing stroke by stroke, following
 * the host's view until the viewer looks around on their own (a drag or a wheel), and again
 * after one click on "Follow host". Excalidraw's chunk: WhiteboardView loads it.
 */
export default function BoardView({ session }: { session: BoardSession }) {
  const [api, setApi] = useState<ExcalidrawImperativeAPI>();
  const [ready, setReady] = useState(false);
  const [scene] = useState(() => initialScene(session, () => setReady(true)));
  const [following, setFollowing] = useState(true);
  const [loaded, setLoaded] = useState(session.loaded);
  const followingRef = useRef(following);
  followingRef.current = following;
  const containerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!api || !ready) return;
    let active = true;
    const isActive = () => active;
    const follow = (viewport: BoardViewport | undefined) => {
      if (!viewport || !followingRef.current) return;
      const { width, height } = api.getAppState();
      const view = followView(viewport, width, height);
      api.updateScene({ appState: { scrollX: view.scrollX, scrollY: view.scrollY, zoom: { value: view.zoom as never } } });
    };
    // What arrived before this view was ready.
    setLoaded(session.loaded);
    applyRemoteElements(api, scene.arrivedSince());
    loadFiles(api, Object.fromEntries(session.fileUrls), isActive);
    follow(session.viewport);
    applyHostPointer(api, session.pointer);
    const remote = frameBatchedApplier(api);
    const unsubscribe = session.subscribe((event) => {
      switch (event.type) {
        case 'elements':
          return remote.apply(event.elements);
        case 'files':
          return loadFiles(api, event.urls, isActive);
        case 'view':
          follow(event.viewport);
          return applyHostPointer(api, event.pointer);
        case 'loaded':
          return setLoaded(true);
      }
    });
    // For end-to-end tests: the scene as this view holds it.
    if (containerRef.current) Object.assign(containerRef.current, { excalidrawAPI: api });
    return () => {
      active = false;
      unsubscribe();
      remote.dispose();
    };
  }, [api, ready, scene, session]);

  function refollow() {
    setFollowing(true);
    followingRef.current = true;
    const viewport = session.viewport;
    if (api && viewport) {
      const { width, height } = api.getAppState();
      const view = followView(viewport, width, height);
      api.updateScene({ appState: { scrollX: view.scrollX, scrollY: view.scrollY, zoom: { value: view.zoom as never } } });
    }
  }

  // Looking around on one's own (drag to pan, wheel or pinch to zoom) stops following.
  const detach = () => {
    if (followingRef.current) setFollowing(false);
  };

  return (
    <div className="whiteboard" data-following={following} data-loaded={loaded}>
      <div className="whiteboard__board" ref={containerRef} onPointerDownCapture={detach} onWheelCapture={detach}>
        <Excalidraw
          excalidrawAPI={setApi}
          viewModeEnabled
          zenModeEnabled
          gridModeEnabled={false}
          UIOptions={{ canvasActions: { changeViewBackgroundColor: false, clearCanvas: false, export: false, loadScene: false, saveToActiveFile: false, toggleTheme: false, saveAsImage: false } }}
          initialData={scene.initialData}
        />
      </div>
      {loaded ? null : (
        <div className="whiteboard__status" role="status">
          Loading the board…
        </div>
      )}
      <div className="whiteboard__follow">
        {following ? (
          <button type="button" className="whiteboard__follow-button" aria-pressed="true" onClick={() => setFollowing(false)}>
            Following host
          </button>
        ) : (
          <button type="button" className="whiteboard__follow-button whiteboard__follow-button--detached" aria-pressed="false" onClick={refollow}>
            Follow host
          </button>
        )}
      </div>
    </div>
  );
}
