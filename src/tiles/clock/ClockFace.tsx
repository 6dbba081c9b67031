import { useEffect, useRef, type CSSProperties } from 'react';
import type { ServerClock, TileViewProps } from '../tile-kind';
import { useTicker } from '../use-ticker';
import { playAlarm } from './alarm-sound';
import { clockReadout, formatDuration, lapSplits, timerEndsAt, type ClockReadout } from './clock-math';
import type { ClockState } from './clock-state';
import './clock.css';

/** Laps shown on the face when the tile is tall enough; the host's inspector lists them all. */
const LAPS_ON_FACE = 3;

/**
 * The clock tile as everyone sees it. Every frame it derives the figure from server time
 * and the state's reference timestamps, so all screens show the same value without ticks
 * from the host.
 */
export default function ClockFace({ state, clock }: TileViewProps<ClockState>) {
  const readout = useTicker(() => clockReadout(state, clock.now()), readoutKey);
  useTimerAlarm(state, clock, readout.tone === 'alarm');
  const laps = state.mode === 'stopwatch' ? lapSplits(state.laps).slice(-LAPS_ON_FACE).reverse() : [];

  return (
    <div className={`clock-face clock-face--${readout.tone}`} data-mode={state.mode}>
      {state.label ? <p className="clock-face__label">{state.label}</p> : null}
      <p className="clock-face__main" role="timer" aria-label={readout.name} style={{ '--chars': readout.main.length } as CSSProperties}>
        {readout.main}
      </p>
      <p className="clock-face__detail">{readout.detail}</p>
      {laps.length ? (
        <ol className="clock-face__laps" aria-label="Latest laps">
          {laps.map((lap) => (
            <li key={lap.number}>
              <span>Lap {lap.number}</span>
              <span>{formatDuration(lap.splitMs)}</span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

function readoutKey(readout: ClockReadout): string {
  return `${readout.main}|${readout.detail}|${readout.tone}`;
}

/** A timer that reaches zero while on screen beeps once; one that expired before the page opened stays quiet. */
function useTimerAlarm(state: ClockState, clock: ServerClock, expired: boolean) {
  const wasExpired = useRef(expired);
  useEffect(() => {
    if (expired && !wasExpired.current && state.mode === 'timer' && state.alarmSound) {
      const endsAt = timerEndsAt(state);
      if (endsAt === undefined || clock.now() - endsAt < 3000) playAlarm();
    }
    wasExpired.current = expired;
  }, [expired, state, clock]);
}
