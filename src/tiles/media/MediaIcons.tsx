import { Icon } from '../../ui/icons';

export function CameraIcon({ className }: { className?: string }) {
  return (
    <Icon className={className}>
      <rect x="2.5" y="6" width="13" height="12" rx="2" />
      <path d="M15.5 10.5 21.5 7v10l-6-3.5" />
    </Icon>
  );
}

export function ScreenIcon({ className }: { className?: string }) {
  return (
    <Icon className={className}>
      <rect x="2.5" y="4" width="19" height="13" rx="2" />
      <path d="M8 21h8M12 17v4" />
    </Icon>
  );
}

export function MicIcon({ className, off = false }: { className?: string; off?: boolean }) {
  return (
    <Icon className={className}>
      <rect x="9" y="2.5" width="6" height="12" rx="3" />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3.5" />
      {off ? <path d="M3 3l18 18" /> : null}
    </Icon>
  );
}

export function SpeakerOffIcon({ className }: { className?: string }) {
  return (
    <Icon className={className}>
      <path d="M11 5 6 9H3v6h3l5 4z" />
      <path d="m22 9-6 6M16 9l6 6" />
    </Icon>
  );
}
