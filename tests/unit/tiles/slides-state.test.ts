import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clampPage, initialSlidesState, navigationForKey, pagesToPrefetch, parseSlidesState, stepPage, type SlidesState } from '../../../src/tiles/slides/slides-state';
import { tileRegistry } from '../../../src/tiles/registry';

const deckId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ready = (page: number, pageCount = 10): SlidesState => ({ deckId, pageCount, page, status: 'ready' });

describe('slides state', () => {
  it('is registered with a tiny state: deck, page count, page, status', () => {
    const kind = tileRegistry.find('slides')!;
    expect(kind.initialState()).toEqual({ deckId: '', pageCount: 0, page: 1, status: 'empty' });
  });

  it('parses stored state defensively', () => {
    expect(parseSlidesState({})).toEqual(initialSlidesState());
    expect(parseSlidesState({ deckId: 'not-a-uuid', page: 3 })).toEqual(initialSlidesState());
    expect(parseSlidesState({ deckId, pageCount: 5, page: 9, status: 'ready' })).toEqual(ready(5, 5));
    expect(parseSlidesState({ deckId, pageCount: 5, page: -2, status: 'converting' })).toEqual({ deckId, pageCount: 5, page: 1, status: 'converting' });
    expect(parseSlidesState({ deckId, pageCount: 2.5, page: '3', status: 'bogus' })).toEqual({ deckId, pageCount: 0, page: 1, status: 'ready' });
  });

  it('survives any stored value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('deckId', 'page', 'pageCount', 'status', 'x'), fc.jsonValue()), (stored) => {
        const state = parseSlidesState(stored as never);
        expect(state.page).toBeGreaterThanOrEqual(1);
        expect(state.page).toBeLessThanOrEqual(Math.max(1, state.pageCount));
        expect(['empty', 'uploading', 'queued', 'converting', 'ready', 'failed']).toContain(state.status);
      }),
    );
  });

  it('clamps pages into the deck', () => {
    expect(clampPage(0, 10)).toBe(1);
    expect(clampPage(11, 10)).toBe(10);
    expect(clampPage(4.6, 10)).toBe(5);
    expect(clampPage(Number.NaN, 10)).toBe(1);
    expect(clampPage(3, 0)).toBe(1);
  });

  it('steps through a ready deck and stops at its ends', () => {
    expect(stepPage(ready(1), 'next')).toBe(2);
    expect(stepPage(ready(1), 'previous')).toBeUndefined();
    expect(stepPage(ready(10), 'next')).toBeUndefined();
    expect(stepPage(ready(5), 'first')).toBe(1);
    expect(stepPage(ready(5), 'last')).toBe(10);
    expect(stepPage({ ...ready(2), status: 'converting' }, 'next')).toBeUndefined();
  });

  it('maps keys, clickers included, to steps', () => {
    expect(navigationForKey('ArrowRight')).toBe('next');
    expect(navigationForKey('PageDown')).toBe('next');
    expect(navigationForKey(' ')).toBe('next');
    expect(navigationForKey(' ', true)).toBe('previous');
    expect(navigationForKey('ArrowLeft')).toBe('previous');
    expect(navigationForKey('PageUp')).toBe('previous');
    expect(navigationForKey('Home')).toBe('first');
    expect(navigationForKey('End')).toBe('last');
    expect(navigationForKey('a')).toBeUndefined();
  });

  it('prefetches the next page first, then the previous', () => {
    expect(pagesToPrefetch(1, 10)).toEqual([2, 3]);
    expect(pagesToPrefetch(5, 10)).toEqual([6, 4, 7]);
    expect(pagesToPrefetch(10, 10)).toEqual([9]);
    expect(pagesToPrefetch(1, 1)).toEqual([]);
  });
});
