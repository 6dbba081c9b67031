import { useEffect, useState } from 'react';
import { Button } from '../../ui/Button';
import type { TileEditorProps } from '../tile-kind';
import { useBoardSession } from './use-board-session';
import type { WhiteboardState } from './whiteboard-state';
import { WhiteboardStudio } from './WhiteboardStudio';
import './whiteboard.css';

/** How long drawing must pause before the saved revision is noted in the tile's state (one head write). */
const REV_NOTE_DELAY_MS = 3000;

/**
 * The whiteboard's inspector: opens the full-window editor. While it is open, the board's
 * saved revision is noted in the tile state whenever drawing pauses, which ties the board's
 * own log to the session's sequence for replay.
 */
export default function WhiteboardEditor({ state, update }: TileEditorProps<WhiteboardState>) {
  const session = useBoardSession(state.boardId);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!session) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = session.subscribe((event) => {
      if (event.type !== 'saved') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (event.rev !== state.rev) update({ rev: event.rev });
      }, REV_NOTE_DELAY_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [session, state.rev, update]);

  if (!state.boardId) return <p className="muted">This whiteboard has no board. Remove it and add a new whiteboard.</p>;
  return (
    <div className="whiteboard-editor">
      <p>Draw in the full-window editor. Viewers see every stroke as you draw it and follow your scroll and zoom.</p>
      <Button variant="primary" disabled={!session} onClick={() => setOpen(true)}>
        Open whiteboard
      </Button>
      {open && session ? <WhiteboardStudio session={session} title="whiteboard" onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
