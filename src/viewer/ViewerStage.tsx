import type { PublicSession } from '../protocol/session';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import { Spinner } from '../ui/Spinner';

/**
 * The viewer's canvas. The realtime step connects here (`custom.webSocketUrl`), receives the
 * snapshot and patches, and renders the tiles read-only inside the frame; until the first
 * snapshot arrives it shows the waiting state below.
 */
export function ViewerStage({ session }: { session: PublicSession }) {
  return (
    <CanvasFrame
      label={`Canvas of ${session.title}`}
      overlay={
        <CanvasHint
          icon={<Spinner />}
          title="Waiting for the host…"
          text="The canvas appears here as soon as the host shares it. Keep this page open."
        />
      }
    />
  );
}
