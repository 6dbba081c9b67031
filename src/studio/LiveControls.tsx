import type { RoomView } from '../realtime/room-store';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { BroadcastIcon, EyeIcon, StopIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';

/** LIVE while viewers see the canvas; otherwise they see a waiting screen. */
export function LiveBadge({ live }: { live: boolean }) {
  return live ? <Badge tone="live">Live</Badge> : <Badge tone="neutral">Not live</Badge>;
}

export function GoLiveButton({ live, disabled, onChange }: { live: boolean; disabled: boolean; onChange: (live: boolean) => void }) {
  return live ? (
    <Button variant="secondary" icon={<StopIcon className="btn__icon" />} disabled={disabled} onClick={() => onChange(false)}>
      Stop live
    </Button>
  ) : (
    <Button variant="primary" icon={<BroadcastIcon className="btn__icon" />} disabled={disabled} onClick={() => onChange(true)}>
      Go live
    </Button>
  );
}

export function ViewerCount({ count }: { count: number }) {
  return (
    <span className="studio-stat" data-testid="viewer-count">
      <EyeIcon className="btn__icon" />
      {count} {count === 1 ? 'viewer' : 'viewers'}
    </span>
  );
}

/** Where the studio's link to the server stands, and whether edits are waiting to be saved. */
export function ConnectionStatus({ view }: { view: RoomView }) {
  const { status, unconfirmedCount } = view;
  let tone: 'ok' | 'busy' | 'warn' = 'ok';
  let text = 'Connected';
  if (status === 'connecting') {
    tone = 'busy';
    text = 'Connecting…';
  } else if (status === 'reconnecting' || status === 'closed') {
    tone = 'warn';
    text = unconfirmedCount > 0 ? `Offline · ${unconfirmedCount} unsaved ${unconfirmedCount === 1 ? 'change' : 'changes'}` : 'Reconnecting…';
  } else if (status === 'open' && unconfirmedCount > 0) {
    text = 'Saving…';
  }
  return (
    <span className={`studio-stat connection-status connection-status--${tone}`} role="status">
      {tone === 'busy' ? <Spinner /> : <span className="connection-status__dot" aria-hidden="true" />}
      {text}
    </span>
  );
}
