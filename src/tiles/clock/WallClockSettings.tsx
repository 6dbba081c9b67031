import { useId, useMemo } from 'react';
import type { TileEditorProps } from '../tile-kind';
import { isValidTimeZone, localTimeZone, type ClockState } from './clock-state';
import { timeZoneOptions } from './time-zones';

type Props = Pick<TileEditorProps<ClockState>, 'state' | 'clock' | 'update'>;

/** Time zone and 12/24-hour display of the wall clock. */
export function WallClockSettings({ state, clock, update }: Props) {
  const zoneId = useId();
  const local = useMemo(localTimeZone, []);
  // Offsets are computed once per zone change; DST moves them twice a year, not per render.
  const options = useMemo(() => timeZoneOptions({ current: state.timeZone, local, at: clock.now() }), [state.timeZone, local, clock]);
  return (
    <>
      <div className="field">
        <label className="field__label" htmlFor={zoneId}>
          Time zone
        </label>
        <select
          id={zoneId}
          className="input"
          value={state.timeZone}
          onChange={(event) => {
            if (isValidTimeZone(event.target.value)) update({ timeZone: event.target.value });
          }}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <label className="clock-editor__check">
        <input type="checkbox" checked={!state.hour12} onChange={(event) => update({ hour12: !event.target.checked })} />
        24-hour clock
      </label>
    </>
  );
}
