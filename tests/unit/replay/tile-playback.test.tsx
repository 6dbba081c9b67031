// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tile } from '../../../src/protocol/realtime';
import { TilePlaybackContext, type TilePlayback } from '../../../src/tiles/playback';
import { createTileRegistry } from '../../../src/tiles/registry';
import { TileRegistryContext } from '../../../src/tiles/registry-context';
import { TileContent } from '../../../src/tiles/TileContent';
import { clockTile } from '../../../src/tiles/clock/clock-tile';
import type { TileKind } from '../../../src/tiles/tile-kind';

afterEach(cleanup);

const frame = { x: 0, y: 0, w: 300, h: 200, z: 1 };
const clock = { now: () => Date.UTC(2026, 0, 1, 12) };
const replay: TilePlayback = { mode: 'replay', sessionId: 's', seq: 5 };
/** A live-media kind as the media tiles declare themselves. */
const camera: TileKind = { ...(clockTile as unknown as TileKind), kind: 'camera', label: 'Camera', replay: 'not-recorded', Viewer: () => <p>live camera</p> };

function show(tile: Tile, playback: TilePlayback) {
  render(
    <TileRegistryContext.Provider value={createTileRegistry([clockTile as unknown as TileKind, camera])}>
      <TilePlaybackContext.Provider value={playback}>
        <TileContent tileId="t" tile={tile} clock={clock} />
      </TilePlaybackContext.Provider>
    </TileRegistryContext.Provider>,
  );
}

describe('tiles in a replay', () => {
  it('show a live-media kind as "not recorded", never a broken player', () => {
    show({ kind: 'camera', frame, state: {} }, replay);
    expect(screen.getByText('Video was not recorded')).toBeTruthy();
    expect(screen.queryByText('live camera')).toBeNull();
  });

  it('show any tile holding a media reference as "not recorded", whatever its kind declares', () => {
    show({ kind: 'clock', frame, state: { mode: 'clock', media: { publicationId: 'p1', source: 'camera', provider: 'local' } } }, replay);
    expect(screen.getByText('Video was not recorded')).toBeTruthy();
  });

  it('show the live view outside a replay, and state-only kinds from their state in one', () => {
    show({ kind: 'camera', frame, state: {} }, { mode: 'live' });
    expect(screen.getByText('live camera')).toBeTruthy();
    cleanup();
    show({ kind: 'clock', frame, state: { mode: 'clock' } }, replay);
    expect(screen.queryByText('Video was not recorded')).toBeNull();
  });
});
