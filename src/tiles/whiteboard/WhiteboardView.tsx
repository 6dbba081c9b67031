import { TileLoading, TileNotice } from '../TileContent';
import type { TileViewProps } from '../tile-kind';
import { BoardView } from './board-view-chunk';
import { useBoardSession } from './use-board-session';
import type { WhiteboardState } from './whiteboard-state';

/**
 * What everyone sees in a whiteboard tile. This small chunk opens the board session, so the
 * board loads while Excalidraw's chunk (the board view) is still downloading: a late joiner's
 * board is usually all there for Excalidraw's first render.
 */
void BoardView.preload?.().catch(() => undefined);

export default function WhiteboardView({ state }: TileViewProps<WhiteboardState>) {
  const session = useBoardSession(state.boardId);
  if (!state.boardId) return <TileNotice title="This whiteboard has no board" text="Remove it and add a new whiteboard." />;
  if (!session) return <TileLoading label="Connecting to the whiteboard…" />;
  return <BoardView session={session} />;
}
