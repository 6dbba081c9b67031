import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ExcalidrawImperativeAPI, BinaryFiles } from '@excalidraw/excalidraw/types';
import { MAX_BOARD_FILE_BYTES, boardFileTypes, type BoardViewport } from '../../protocol/board';
import { Button } from '../../ui/Button';
import { useToast } from '../../ui/Toast';
import { applyRemoteElements, frameBatchedApplier, initialScene, loadFiles } from './board-scene';
import type { BoardSession } from './board-session';
import { CaptureUpdateAction, Excalidraw, exportToBlob, exportToSvg, newElementWith } from './excalidraw-lib';

/**
 * The host's whiteboard: a full Excalidraw editor over the whole window. Every change goes to
 * the board session (which sends what changed); the host's scroll, zoom and pointer go out
 * as the view that viewers follow, and the laser pointer as a trail they see.
 */
export function WhiteboardStudio({ session, title, onClose }: { session: BoardSession; title: string; onClose: () => void }) {
  const toast = useToast();
  const [api, setApi] = useState<ExcalidrawImperativeAPI>();
  const [ready, setReady] = useState(false);
  const [scene] = useState(() => initialScene(session, () => setReady(true)));
  const [cleared, setCleared] = useState<ReadonlySet<string>>();
  const lastViewport = useRef<string>('');
  const uploaded = useRef(new Set<string>());
  const boardRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!api || !ready) return;
    let active = true;
    applyRemoteElements(api, scene.arrivedSince());
    loadFiles(api, Object.fromEntries(session.fileUrls), () => active);
    // The files loaded from the board are already stored.
    for (const fileId of session.fileUrls.keys()) uploaded.current.add(fileId);
    const remote = frameBatchedApplier(api);
    const unsubscribe = session.subscribe((event) => {
      if (event.type === 'elements' && event.source === 'remote') remote.apply(event.elements);
      if (event.type === 'files') {
        for (const fileId of Object.keys(event.urls)) uploaded.current.add(fileId);
        loadFiles(api, event.urls, () => active);
      }
      if (event.type === 'fileUploadUrl') void upload(api, event.fileId, event.uploadUrl);
      if (event.type === 'problem') toast.show({ tone: 'error', title: 'Not shared with viewers', description: event.message });
    });
    if (boardRef.current) Object.assign(boardRef.current, { excalidrawAPI: api });
    return () => {
      active = false;
      unsubscribe();
      remote.dispose();
    };
  }, [api, ready, scene, session, toast]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && event.shiftKey) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  async function upload(editor: ExcalidrawImperativeAPI, fileId: string, uploadUrl: string) {
    const file = editor.getFiles()[fileId];
    if (!file) return;
    const blob = await (await fetch(file.dataURL)).blob();
    const response = await fetch(uploadUrl, { method: 'PUT', body: blob, headers: { 'content-type': file.mimeType } }).catch(() => undefined);
    if (!response?.ok) {
      uploaded.current.delete(fileId);
      toast.show({ tone: 'error', title: 'An image could not be uploaded', description: 'Viewers see an empty frame in its place. Add the image again.' });
    }
  }

  function uploadNewFiles(files: BinaryFiles) {
    for (const file of Object.values(files)) {
      if (uploaded.current.has(file.id)) continue;
      uploaded.current.add(file.id);
      const size = Math.ceil(((file.dataURL.length - file.dataURL.indexOf(',') - 1) * 3) / 4);
      const mimeType = file.mimeType as (typeof boardFileTypes)[number];
      if (!boardFileTypes.includes(mimeType) || size > MAX_BOARD_FILE_BYTES) {
        toast.show({ tone: 'error', title: 'Image not shared', description: `Viewers see images up to ${MAX_BOARD_FILE_BYTES / 1024 / 1024} MB in PNG, JPEG, GIF, WebP or SVG.` });
        continue;
      }
      // The exact byte length is signed into the upload URL: decode first.
      void fetch(file.dataURL)
        .then((response) => response.blob())
        .then((blob) => session.requestFileUpload({ fileId: file.id, mimeType, size: blob.size }));
    }
  }

  function clearBoard() {
    if (!api) return;
    const live = api.getSceneElements();
    if (live.length === 0) return;
    const ids = new Set(live.map((element) => element.id));
    // One step in Excalidraw's history: Ctrl+Z (or Undo here) brings everything back.
    api.updateScene({
      elements: api.getSceneElementsIncludingDeleted().map((element) => (ids.has(element.id) ? newElementWith(element, { isDeleted: true }) : element)),
      captureUpdate: CaptureUpdateAction.IMMEDIATELY,
    });
    setCleared(ids);
  }

  function undoClear() {
    if (!api || !cleared) return;
    api.updateScene({
      elements: api
        .getSceneElementsIncludingDeleted()
        .map((element) => (cleared.has(element.id) && element.isDeleted ? newElementWith(element, { isDeleted: false }) : element)),
      captureUpdate: CaptureUpdateAction.IMMEDIATELY,
    });
    setCleared(undefined);
  }

  async function exportImage(kind: 'png' | 'svg') {
    if (!api) return;
    const scene = { elements: api.getSceneElements(), appState: { ...api.getAppState(), exportBackground: true }, files: api.getFiles() };
    const blob =
      kind === 'png'
        ? await exportToBlob({ ...scene, mimeType: 'image/png' })
        : new Blob([new XMLSerializer().serializeToString(await exportToSvg(scene))], { type: 'image/svg+xml' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${title.replace(/[^\w -]+/g, '').trim() || 'whiteboard'}.${kind}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  return createPortal(
    <div className="whiteboard-studio" role="dialog" aria-modal="true" aria-label="Whiteboard editor">
      <div className="whiteboard-studio__bar">
        <span className="whiteboard-studio__title">Whiteboard · live to viewers</span>
        {cleared ? (
          <>
            <span className="whiteboard-studio__note" role="status">
              Board cleared.
            </span>
            <Button size="sm" onClick={undoClear}>
              Undo clear
            </Button>
          </>
        ) : (
          <Button size="sm" variant="danger-outline" onClick={clearBoard}>
            Clear board
          </Button>
        )}
        <Button size="sm" onClick={() => void exportImage('png')}>
          Export PNG
        </Button>
        <Button size="sm" onClick={() => void exportImage('svg')}>
          Export SVG
        </Button>
        <Button size="sm" variant="primary" onClick={onClose}>
          Done
        </Button>
      </div>
      <div className="whiteboard-studio__board" ref={boardRef}>
        <Excalidraw
          excalidrawAPI={setApi}
          initialData={scene.initialData}
          UIOptions={{ canvasActions: { loadScene: false, saveToActiveFile: false } }}
          onChange={(elements, appState, files) => {
            if (!ready) return;
            session.localChange(elements);
            const viewport: BoardViewport = { scrollX: appState.scrollX, scrollY: appState.scrollY, zoom: appState.zoom.value, width: appState.width, height: appState.height };
            const key = JSON.stringify(viewport);
            if (key !== lastViewport.current) {
              lastViewport.current = key;
              session.localView({ viewport });
            }
            uploadNewFiles(files);
          }}
          onPointerUpdate={({ pointer, button }) => session.localView({ pointer: { x: pointer.x, y: pointer.y, tool: pointer.tool, button } })}
        />
      </div>
    </div>,
    document.body,
  );
}
