import type { TileState } from '../../protocol/realtime';

/**
 * A slides tile's whole state: which deck, how many pages it has, the page shown, and where
 * the deck is in its life. The document itself lives in the files bucket; the public session
 * API turns `deckId` into a short-lived URL. So a replay needs nothing else.
 */
export const slidesStatuses = ['empty', 'uploading', 'queued', 'converting', 'ready', 'failed'] as const;
export type SlidesStatus = (typeof slidesStatuses)[number];

export interface SlidesState extends TileState {
  /** '' until a deck is chosen. */
  deckId: string;
  pageCount: number;
  /** 1-based. */
  page: number;
  status: SlidesStatus;
}

export const SLIDES_TILE_KIND = 'slides';

export function initialSlidesState(): SlidesState {
  return { deckId: '', pageCount: 0, page: 1, status: 'empty' };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Garbage in, a valid state out: an unknown deck id empties the tile, a page is clamped into the deck. */
export function parseSlidesState(stored: TileState): SlidesState {
  const deckId = typeof stored.deckId === 'string' && UUID.test(stored.deckId) ? stored.deckId : '';
  if (!deckId) return initialSlidesState();
  const status = slidesStatuses.includes(stored.status as SlidesStatus) && stored.status !== 'empty' ? (stored.status as SlidesStatus) : 'ready';
  const pageCount = wholeNumber(stored.pageCount, 0);
  return { deckId, pageCount, page: clampPage(wholeNumber(stored.page, 1), pageCount), status };
}

/** 1 … pageCount (1 while the page count is unknown). */
export function clampPage(page: number, pageCount: number): number {
  if (!Number.isFinite(page)) return 1;
  return Math.min(Math.max(1, Math.round(page)), Math.max(1, pageCount));
}

/** The page after a navigation step; undefined when it would not move (first, last, or no deck). */
export function stepPage(state: SlidesState, step: 'next' | 'previous' | 'first' | 'last'): number | undefined {
  if (state.status !== 'ready' || state.pageCount < 1) return undefined;
  const target = { next: state.page + 1, previous: state.page - 1, first: 1, last: state.pageCount }[step];
  const page = clampPage(target, state.pageCount);
  return page === state.page ? undefined : page;
}

/** The navigation a key asks for: arrows, Page Up/Down (what presentation clickers send), space, Home and End. */
export function navigationForKey(key: string, shiftKey = false): 'next' | 'previous' | 'first' | 'last' | undefined {
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
    case 'PageDown':
      return 'next';
    case ' ':
      return shiftKey ? 'previous' : 'next';
    case 'ArrowLeft':
    case 'ArrowUp':
    case 'PageUp':
      return 'previous';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    default:
      return undefined;
  }
}

/** Pages to keep rendered around the current one, nearest first, so the next flip draws at once. */
export function pagesToPrefetch(page: number, pageCount: number): number[] {
  return [page + 1, page - 1, page + 2].filter((p) => p >= 1 && p <= pageCount);
}

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
