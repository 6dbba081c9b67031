import type { SessionStatus } from '../protocol/session';
import { Badge } from '../ui/Badge';

export function StatusBadge({ status }: { status: SessionStatus }) {
  return status === 'active' ? (
    <Badge tone="success" dot>
      Active
    </Badge>
  ) : (
    <Badge tone="neutral">Ended</Badge>
  );
}
