import type { ExcalidrawImperativeAPI, BinaryFileData, Collaborator, SocketId } from '@excalidraw/excalidraw/types';
import { orderByIndex, supersedes, type BoardElement, type BoardPointer } from '../../protocol/board';
import { CaptureUpdateAction, reconcileElements, restoreElements } from './excalidraw-lib';

/**
 * How a board's elements and files get into an Excalidraw scene, for both the viewers' board
 * and the host's editor: reconciled with Excalidraw's own `reconcileElements` (version, then
 * versionNonce; the element being edited locally stays), never recorded in undo history.
 */
type RemoteElements = Parameters<typeof reconcileElements>[1];

export function applyRemoteElements(api: ExcalidrawImperativeAPI, incoming: readonly BoardElement[]): void {
  if (incoming.length === 0) return;
  // restoreElements fills fields a renderer relies on, whatever a peer left out. It takes an
  // element out of z-order for a bad index and gives it a new one (a new version too): the
  // board arrives in id order, so it gets the elements in z-order.
  const remote = restoreElements(orderByIndex(incoming) as unknown as Parameters<typeof restoreElements>[0], null) as unknown as RemoteElements;
  const elements = reconcileElements(api.getSceneElementsIncludingDeleted(), remote, api.getAppState());
  api.updateScene({ elements, captureUpdate: CaptureUpdateAction.NEVER });
}

/**
 * Remote elements applied at most once a frame: each update restores, reconciles and redraws
 * the whole scene, so a board's load parts (and bursts of batches) arriving between two frames
 * become one update, not one per message. A hidden tab applies them when it is shown again.
 */
export function frameBatchedApplier(api: ExcalidrawImperativeAPI) {
  let pending = new Map<string, BoardElement>();
  let frame: number | undefined;
  const flush = () => {
    frame = undefined;
    const elements = [...pending.values()];
    pending = new Map();
    applyRemoteElements(api, elements);
  };
  return {
    apply(incoming: readonly BoardElement[]) {
      for (const element of incoming) if (supersedes(element, pending.get(element.id))) pending.set(element.id, element);
      frame ??= requestAnimationFrame(flush);
    },
    dispose() {
      if (frame !== undefined) cancelAnimationFrame(frame);
    },
  };
}

/**
 * Excalidraw sets up its scene from `initialData` after mounting, replacing whatever was
 * applied before: so a view applies the board only once this says the scene is ready (the
 * timer runs after Excalidraw's set-up, which continues in a microtask). The first paint
 * already shows the elements the session had; `arrivedSince` is what came after (the
 * session replaces its map on every merge, so an element object unchanged is one it gave).
 */
export function initialScene(session: { elements: ReadonlyMap<string, BoardElement> }, onReady: () => void) {
  let given: ReadonlyMap<string, BoardElement> = new Map();
  return {
    initialData: () => {
      given = session.elements;
      setTimeout(onReady, 0);
      return { elements: orderByIndex(given.values()) as never, appState: { viewBackgroundColor: '#ffffff' } };
    },
    arrivedSince: () => [...session.elements.values()].filter((element) => given.get(element.id) !== element),
  };
}

/** The host, as a collaborator on a viewer's board: Excalidraw draws its cursor and laser trail. */
export const HOST_COLLABORATOR = 'host' as SocketId;

export function applyHostPointer(api: ExcalidrawImperativeAPI, pointer: BoardPointer | null | undefined): void {
  const collaborators = new Map<SocketId, Collaborator>();
  if (pointer) {
    collaborators.set(HOST_COLLABORATOR, {
      username: 'Host',
      button: pointer.button,
      pointer: { x: pointer.x, y: pointer.y, tool: pointer.tool, renderCursor: pointer.tool === 'pointer' },
      color: { background: '#fde68a', stroke: '#e03131' },
    });
  }
  api.updateScene({ collaborators });
}

/** Images come from the files bucket by presigned URL; one may not be uploaded yet, so failures retry a few times. */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000];

export function loadFiles(api: ExcalidrawImperativeAPI, urls: Record<string, string>, isActive: () => boolean): void {
  const present = api.getFiles();
  for (const [fileId, url] of Object.entries(urls)) {
    if (present[fileId]) continue;
    void fetchFile(fileId, url, isActive).then((file) => {
      if (file && isActive()) api.addFiles([file]);
    });
  }
}

async function fetchFile(fileId: string, url: string, isActive: () => boolean): Promise<BinaryFileData | undefined> {
  for (const delay of [0, ...RETRY_DELAYS_MS]) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (!isActive()) return undefined;
    try {
      const response = await fetch(url);
      if (!response.ok) continue;
      const blob = await response.blob();
      const dataURL = await new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(blob);
      });
      return { id: fileId, mimeType: blob.type || 'image/png', dataURL, created: Date.now() } as BinaryFileData;
    } catch {
      // Try again after the next delay.
    }
  }
  return undefined;
}
