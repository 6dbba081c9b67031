import { languageLabels, type Language } from '../protocol/code';
import type { ReplayMarker } from '../protocol/replay';

/** A stretch of replay as a clock shows it: 4:07, or 1:02:03. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** What a timeline marker stands for, in words. `labelOfKind` names a tile kind (the registry's label). */
export function markerLabel(marker: ReplayMarker, labelOfKind: (kind: string) => string): string {
  switch (marker.kind) {
    case 'tile':
      return `${labelOfKind(marker.detail ?? '')} tile added`;
    case 'code': {
      const language = languageLabels[marker.detail as Language] ?? marker.detail ?? 'Code';
      return `${language} run${marker.status ? `: ${marker.status === 'ok' ? 'finished' : marker.status.replace(/_/g, ' ')}` : ''}`;
    }
    case 'slide':
      return marker.detail ? `Slide ${marker.detail}` : 'Slide change';
    case 'chat':
      return marker.count && marker.count > 1 ? `${marker.count} chat messages` : 'Chat message';
    case 'live':
      return 'Went live';
    case 'paused':
      return 'Broadcast paused';
    case 'end':
      return 'Session ended';
  }
}
