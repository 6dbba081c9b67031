import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import type { Session } from '../protocol/session';
import { LayoutIcon } from '../ui/icons';

/**
 * The host's canvas. The tiles step renders the palette and the editable tiles here, and the
 * realtime step publishes their state; until a tile is added it shows the empty state.
 */
export function StudioCanvas({ session }: { session: Session }) {
  const ended = session.status === 'ended';
  return (
    <CanvasFrame
      label="Canvas"
      overlay={
        ended ? (
          <CanvasHint title="This session has ended" text="Its canvas can no longer change." />
        ) : (
          <CanvasHint
            icon={<LayoutIcon />}
            title="Add tiles from the palette"
            text="Webcam, screen share, code, slides, clock and whiteboard tiles appear here exactly as your viewers will see them."
          />
        )
      }
    />
  );
}
