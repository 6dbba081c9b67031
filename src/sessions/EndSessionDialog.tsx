import { useState } from 'react';
import { useSessionsApi } from '../api/context';
import { isApiError } from '../api/api-error';
import type { Session } from '../protocol/session';
import { ConfirmDialog } from '../ui/Dialog';
import { useToast } from '../ui/Toast';

export interface EndSessionTarget {
  sessionId: string;
  title: string;
}

export type EndedSession = Pick<Session, 'sessionId' | 'status'> & Partial<Session>;

/**
 * "End this session?" — asks, ends the session through the API, and reports back.
 * `onEnded` receives the updated session (status 'ended'); the caller updates its view without a reload.
 */
export function EndSessionDialog({
  target,
  onClose,
  onEnded,
  end,
}: {
  target: EndSessionTarget | undefined;
  onClose: () => void;
  onEnded: (session: EndedSession) => void;
  /** How to end it; by default through the HTTP API. The studio ends through its live room instead. */
  end?: (sessionId: string) => Promise<EndedSession>;
}) {
  const api = useSessionsApi();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  async function confirm() {
    if (!target) return;
    setBusy(true);
    try {
      const session = end ? await end(target.sessionId) : await api.endSession(target.sessionId);
      onEnded(session);
      toast.success('Session ended', `“${target.title}” has ended. Viewers now see that it is over.`);
    } catch (error) {
      if (isApiError(error, 'Conflict')) {
        // It had already ended (another tab, or a race): show it as ended.
        onEnded({ sessionId: target.sessionId, status: 'ended' });
        toast.show({ tone: 'info', title: 'This session had already ended' });
      } else {
        toast.error('Could not end the session', error);
      }
    } finally {
      setBusy(false);
      onClose();
    }
  }

  return (
    <ConfirmDialog
      open={target !== undefined}
      title="End this session?"
      description={
        target ? (
          <>
            <p>
              “{target.title}” will end for everyone watching, and viewers will see that the session has ended.
            </p>
            <p>This can&apos;t be undone.</p>
          </>
        ) : null
      }
      confirmLabel="End session"
      tone="danger"
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={onClose}
    />
  );
}
