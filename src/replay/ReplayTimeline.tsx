import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import type { ReplayMarker } from '../protocol/replay';
import { useTicker } from '../tiles/use-ticker';
import type { ReplayEngine } from './replay-engine';
import { formatOffset, markerLabel } from './replay-format';

/** Arrow keys on the timeline move by this much; Page Up and Down by a minute. */
export const SKIP_MS = 10_000;

/** What the timeline and the list of moments show the markers with. */
export interface MarkerViewProps {
  engine: ReplayEngine;
  start: number;
  markers: readonly ReplayMarker[];
  labelOfKind: (kind: string) => string;
}

/**
 * The replay's timeline: a slider (click or drag to seek; arrows ±10 s, Page keys ±1 min,
 * Home and End) with the moments worth jumping to marked on it.
 */
export function ReplayTimeline({ engine, start, markers, labelOfKind }: MarkerViewProps) {
  const track = useRef<HTMLDivElement>(null);
  const dragging = useRef<{ wasPlaying: boolean } | undefined>(undefined);
  // Re-rendered only when the displayed second (or the live end) changes.
  const { time, end } = useTicker(
    () => ({ time: engine.time(), end: engine.end() }),
    ({ time: t, end: e }) => `${Math.floor(t / 100)}:${Math.floor(e / 1000)}`,
  );
  const span = Math.max(1, end - start);
  const fraction = Math.min(1, Math.max(0, (time - start) / span));

  const timeAt = (clientX: number) => {
    const rect = track.current!.getBoundingClientRect();
    return start + Math.min(1, Math.max(0, (clientX - rect.left) / Math.max(1, rect.width))) * span;
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    dragging.current = { wasPlaying: engine.getView().playing };
    engine.pause();
    void engine.seek(timeAt(event.clientX));
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) void engine.seek(timeAt(event.clientX));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    const drag = dragging.current;
    if (!drag) return;
    dragging.current = undefined;
    void engine.seek(timeAt(event.clientX));
    if (drag.wasPlaying) engine.play();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowLeft: -SKIP_MS, ArrowDown: -SKIP_MS, ArrowRight: SKIP_MS, ArrowUp: SKIP_MS, PageDown: -60_000, PageUp: 60_000 };
    if (event.key in moves) void engine.skip(moves[event.key]!);
    else if (event.key === 'Home') void engine.seek(start);
    else if (event.key === 'End') void engine.seek(end);
    else return;
    // The page's own shortcuts (ReplayPlayer) must not move it a second time.
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div className="replay-timeline">
      <div
        ref={track}
        className="replay-timeline__track"
        role="slider"
        tabIndex={0}
        aria-label="Replay position"
        aria-valuemin={0}
        aria-valuemax={Math.round(span / 1000)}
        aria-valuenow={Math.round((time - start) / 1000)}
        aria-valuetext={`${formatOffset(time - start)} of ${formatOffset(span)}`}
        data-time={Math.round(time)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <div className="replay-timeline__rail" />
        <div className="replay-timeline__played" style={{ width: `${fraction * 100}%` }} />
        {markers.map((marker) => (
          <button
            key={`${marker.seq}-${marker.kind}`}
            type="button"
            tabIndex={-1}
            className={`replay-marker replay-marker--${marker.kind}`}
            style={{ left: `${Math.min(1, Math.max(0, (marker.at - start) / span)) * 100}%` }}
            title={`${markerLabel(marker, labelOfKind)} · ${formatOffset(marker.at - start)}`}
            aria-label={`Jump to ${markerLabel(marker, labelOfKind)} at ${formatOffset(marker.at - start)}`}
            data-marker-kind={marker.kind}
            onPointerDown={(event) => event.stopPropagation()}
            onClick={() => void engine.seek(marker.at)}
          />
        ))}
        <div className="replay-timeline__thumb" style={{ left: `${fraction * 100}%` }} />
      </div>
    </div>
  );
}
