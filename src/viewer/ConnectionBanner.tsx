import { useEffect, useRef, useState } from 'react';
import type { ConnectionStatus } from '../realtime/room-connection';
import { CheckIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';

const RECONNECTED_SHOWN_MS = 3000;

/** Says when the live connection drops and when it is back; silent while all is well. */
export function ConnectionBanner({ status, everOpened }: { status: ConnectionStatus; everOpened: boolean }) {
  const [reconnected, setReconnected] = useState(false);
  const wasDown = useRef(false);

  useEffect(() => {
    if (status === 'reconnecting') {
      wasDown.current = true;
      setReconnected(false);
      return;
    }
    if (status !== 'open' || !wasDown.current) return;
    wasDown.current = false;
    setReconnected(true);
    const timer = setTimeout(() => setReconnected(false), RECONNECTED_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [status]);

  let content = null;
  if (status === 'reconnecting') {
    content = (
      <div className="connection-banner connection-banner--warn">
        <Spinner />
        {everOpened ? 'Connection lost. Reconnecting…' : "Can't reach the session yet. Retrying…"}
      </div>
    );
  } else if (reconnected) {
    content = (
      <div className="connection-banner connection-banner--ok">
        <CheckIcon className="btn__icon" />
        Reconnected
      </div>
    );
  }
  // The live region stays mounted so screen readers announce what appears in it.
  return (
    <div className="connection-banner-region" role="status" aria-live="polite">
      {content}
    </div>
  );
}
