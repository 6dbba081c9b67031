import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { TileEditorProps } from '../tile-kind';
import { isValidTimeZone, localTimeZone, type ClockState } from './clock-state';
import { searchTimeZones, timeZoneOptions } from './time-zones';

type Props = Pick<TileEditorProps<ClockState>, 'state' | 'clock' | 'update'>;

/** Time zone and 12/24-hour display of the wall clock. */
export function WallClockSettings({ state, clock, update }: Props) {
  const zoneId = useId();
  const searchId = useId();
  const countId = useId();
  const local = useMemo(localTimeZone, []);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  // Offsets are computed once per zone change; DST moves them twice a year, not per render.
  const all = useMemo(() => timeZoneOptions({ current: state.timeZone, local, at: clock.now() }), [state.timeZone, local, clock]);
  const options = useMemo(() => searchTimeZones(all, deferredQuery, state.timeZone), [all, deferredQuery, state.timeZone]);
  const matches = options.length - (deferredQuery.trim() && options.some((option) => option.value === state.timeZone) ? 1 : 0);
  return (
    <>
      <div className="field">
        <label className="field__label" htmlFor={searchId}>
          Find a time zone
        </label>
        <input
          id={searchId}
          className="input"
          type="search"
          value={query}
          placeholder="City, region or offset, e.g. Tokyo or +5:30"
          aria-describedby={countId}
          onChange={(event) => setQuery(event.target.value)}
        />
        <p id={countId} className="field__hint" aria-live="polite">
          {deferredQuery.trim() ? `${matches} ${matches === 1 ? 'zone matches' : 'zones match'}.` : `${all.length} zones.`}
        </p>
      </div>
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
