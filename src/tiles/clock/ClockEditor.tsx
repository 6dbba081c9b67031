import { useId } from 'react';
import { SegmentedControl } from '../../ui/SegmentedControl';
import type { TileEditorProps } from '../tile-kind';
import { MAX_LABEL_LENGTH, type ClockMode, type ClockState } from './clock-state';
import { StopwatchControls } from './StopwatchControls';
import { TimerControls } from './TimerControls';
import { WallClockSettings } from './WallClockSettings';
import './clock-editor.css';

const MODES = [
  { value: 'clock', label: 'Clock' },
  { value: 'stopwatch', label: 'Stopwatch' },
  { value: 'timer', label: 'Timer' },
] as const satisfies ReadonlyArray<{ value: ClockMode; label: string }>;

/** The host's controls for a clock tile (shown in the studio's inspector). Loaded only in the studio. */
export default function ClockEditor({ state, clock, update }: TileEditorProps<ClockState>) {
  const labelId = useId();
  return (
    <div className="clock-editor">
      <SegmentedControl label="Mode" value={state.mode} options={MODES} onChange={(mode) => update({ mode })} />
      <div className="field">
        <label className="field__label" htmlFor={labelId}>
          Label <span className="muted">(optional)</span>
        </label>
        <input
          id={labelId}
          className="input"
          value={state.label}
          maxLength={MAX_LABEL_LENGTH}
          placeholder={state.mode === 'timer' ? 'e.g. Break ends in' : 'e.g. Time in Tokyo'}
          onChange={(event) => update({ label: event.target.value })}
        />
      </div>
      {state.mode === 'clock' ? <WallClockSettings state={state} clock={clock} update={update} /> : null}
      {state.mode === 'stopwatch' ? <StopwatchControls state={state} clock={clock} update={update} /> : null}
      {state.mode === 'timer' ? <TimerControls state={state} clock={clock} update={update} /> : null}
    </div>
  );
}
