import type { RoomView } from '../realtime/room-store';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { BroadcastIcon, EyeIcon, StopIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';

/**
 * LIVE while viewers see the canvas; otherwise they see a waiting screen. Offline, viewers
 * still see the last saved canvas, but nothing the host does reaches them: the badge says so.
 */
export function LiveBadge({ live, offline = false }: { live: boolean; offline?: boolean }) {
  if (offline) return <Badge tone="alert">{live ? 'Live · not updating' : 'Not live'}</Badge>;
  return live ? <Badge tone="live">Live</Badge> : <Badge tone="neutral">Not live</Badge>;
}

/** The sentence the studio shows while offline. */
export function offlineMessage(unsaved: number): string {
  const changes =
    unsaved > 0
      ? `${unsaved} ${unsaved === 1 ? 'change' : 'changes'} will be sent when you reconnect`
      : 'changes you make will be sent when you reconnect';
  return `Offline — ${changes}; viewers see the last saved state.`;
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
  let tone: 'ok' | 'busy' | 'alert' = 'ok';
  let text = 'Connected';
  if (!view.online || view.stalled || (view.everOpened && (status === 'reconnecting' || status === 'closed'))) {
    tone = 'alert';
    text = unconfirmedCount > 0 ? `Offline · ${unconfirmedCount} unsent ${unconfirmedCount === 1 ? 'change' : 'changes'}` : 'Offline';
  } else if (status === 'connecting' || status === 'reconnecting') {
    tone = 'busy';
    text = 'Connecting…';
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
