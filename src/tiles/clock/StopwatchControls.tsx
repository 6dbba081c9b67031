import { Button } from '../../ui/Button';
import { FlagIcon, PauseIcon, PlayIcon, ResetIcon } from '../../ui/icons';
import type { TileEditorProps } from '../tile-kind';
import { formatDuration, lapSplits, stopwatch } from './clock-math';
import type { ClockState } from './clock-state';

type Props = Pick<TileEditorProps<ClockState>, 'state' | 'clock' | 'update'>;

/** Start, stop, lap and reset, with every lap listed (newest first). */
export function StopwatchControls({ state, clock, update }: Props) {
  const running = state.swStartedAt !== null;
  const started = running || state.swAccumulatedMs > 0 || state.laps.length > 0;
  const laps = lapSplits(state.laps).reverse();
  return (
    <>
      <div className="clock-editor__row">
        {running ? (
          <Button variant="primary" icon={<PauseIcon className="btn__icon" />} onClick={() => update(stopwatch.stop(state, clock.now()))}>
            Stop
          </Button>
        ) : (
          <Button variant="primary" icon={<PlayIcon className="btn__icon" />} onClick={() => update(stopwatch.start(state, clock.now()))}>
            {state.swAccumulatedMs > 0 ? 'Resume' : 'Start'}
          </Button>
        )}
        <Button icon={<FlagIcon className="btn__icon" />} disabled={!running} onClick={() => update(stopwatch.lap(state, clock.now()))}>
          Lap
        </Button>
        <Button icon={<ResetIcon className="btn__icon" />} disabled={!started} onClick={() => update(stopwatch.reset())}>
          Reset
        </Button>
      </div>
      {laps.length ? (
        <ol className="lap-list" aria-label="Laps">
          {laps.map((lap) => (
            <li key={lap.number}>
              <span>Lap {lap.number}</span>
              <span className="lap-list__split">{formatDuration(lap.splitMs)}</span>
              <span className="lap-list__total">{formatDuration(lap.totalMs)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="field__hint">Laps appear here, and the latest ones on the canvas when the tile is tall enough.</p>
      )}
    </>
  );
}
