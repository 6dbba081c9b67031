import { useId, useState, type FormEvent } from 'react';
import { Button } from '../../ui/Button';
import { AlertIcon, PauseIcon, PlayIcon, ResetIcon } from '../../ui/icons';
import type { TileEditorProps } from '../tile-kind';
import { useTicker } from '../use-ticker';
import { formatDurationInput, parseDurationInput, timer, timerPhase } from './clock-math';
import type { ClockState } from './clock-state';

type Props = Pick<TileEditorProps<ClockState>, 'state' | 'clock' | 'update'>;

const PRESET_MINUTES = [1, 5, 10, 15, 30];

/** Set a duration, run and pause the countdown, and choose whether it beeps at zero. */
export function TimerControls({ state, clock, update }: Props) {
  // The phase turns to "expired" by itself; follow it so the buttons change at zero.
  const phase = useTicker(() => timerPhase(state, clock.now()), (value) => value);
  return (
    <>
      <DurationForm durationMs={state.timerDurationMs} onSet={(ms) => update(timer.set(ms))} />
      <div className="clock-editor__presets" role="group" aria-label="Quick durations">
        {PRESET_MINUTES.map((minutes) => (
          <Button key={minutes} size="sm" variant="ghost" onClick={() => update(timer.set(minutes * 60_000))} aria-label={`Set ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`}>
            {minutes} min
          </Button>
        ))}
      </div>
      <div className="clock-editor__row">
        {phase === 'running' ? (
          <Button variant="primary" icon={<PauseIcon className="btn__icon" />} onClick={() => update(timer.pause(state, clock.now()))}>
            Pause
          </Button>
        ) : phase === 'expired' ? (
          <Button variant="primary" icon={<PlayIcon className="btn__icon" />} onClick={() => update(timer.restart(state, clock.now()))}>
            Restart
          </Button>
        ) : (
          <Button variant="primary" icon={<PlayIcon className="btn__icon" />} onClick={() => update(timer.start(state, clock.now()))}>
            {phase === 'paused' ? 'Resume' : 'Start'}
          </Button>
        )}
        <Button icon={<ResetIcon className="btn__icon" />} disabled={phase === 'idle'} onClick={() => update(timer.reset(state))}>
          Reset
        </Button>
      </div>
      <label className="clock-editor__check">
        <input type="checkbox" checked={state.alarmSound} onChange={(event) => update({ alarmSound: event.target.checked })} />
        Beep when time is up
      </label>
    </>
  );
}

function DurationForm({ durationMs, onSet }: { durationMs: number; onSet: (ms: number) => void }) {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const shown = formatDurationInput(durationMs);
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<string>();

  function submit(event: FormEvent) {
    event.preventDefault();
    const ms = parseDurationInput(draft ?? shown);
    if (ms === undefined) {
      setError('Enter a duration like 5:00 or 1:30:00, up to 23:59:59.');
      return;
    }
    setError(undefined);
    setDraft(undefined);
    onSet(ms);
  }

  return (
    <form className="inline-form inline-form--bare" onSubmit={submit} noValidate>
      <div className="field">
        <label className="field__label" htmlFor={inputId}>
          Duration
        </label>
        <input
          id={inputId}
          className="input"
          inputMode="numeric"
          autoComplete="off"
          value={draft ?? shown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : hintId}
          onChange={(event) => {
            setDraft(event.target.value);
            setError(undefined);
          }}
        />
        {error ? (
          <p id={errorId} className="field__error">
            <AlertIcon className="btn__icon" />
            {error}
          </p>
        ) : (
          <p id={hintId} className="field__hint">
            Minutes:seconds, or hours:minutes:seconds.
          </p>
        )}
      </div>
      <Button type="submit" className="clock-editor__set">
        Set
      </Button>
    </form>
  );
}
