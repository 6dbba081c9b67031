import { Icon } from '../../ui/icons';

/** The whiteboard kind's palette icon: a board with a pen stroke. */
export function WhiteboardIcon({ className }: { className?: string }) {
  return (
    <Icon className={className}>
      <rect x="3" y="4" width="18" height="13" rx="1.5" />
      <path d="M7 13c1.5-3 3-3 4 0s2.5 3 4-1M9 21l3-4 3 4" />
    </Icon>
  );
}
