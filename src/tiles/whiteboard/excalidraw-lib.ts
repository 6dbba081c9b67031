// First: Excalidraw reads the asset path when its fonts register, as its module loads.
import './self-hosted-assets';
import '@excalidraw/excalidraw/index.css';

/** Everything the whiteboard uses of Excalidraw, from one module, so the asset path is always set first. */
export {
  CaptureUpdateAction,
  Excalidraw,
  MainMenu,
  exportToBlob,
  exportToSvg,
  newElementWith,
  reconcileElements,
  restoreElements,
} from '@excalidraw/excalidraw';
