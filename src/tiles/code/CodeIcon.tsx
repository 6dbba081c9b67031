import { Icon } from '../../ui/icons';

/** The code kind's palette icon: angle brackets. */
export function CodeIcon({ className }: { className?: string }) {
  return (
    <Icon className={className}>
      <polyline points="8 6 2 12 8 18" />
      <polyline points="16 6 22 12 16 18" />
      <line x1="14" y1="4" x2="10" y2="20" />
    </Icon>
  );
}
