import { describe, expect, it } from 'vitest';
import { initialClockState, isValidTimeZone, MAX_LABEL_LENGTH, MAX_LAPS, parseClockState } from '../../../src/tiles/clock/clock-state';
import { searchTimeZones, timeZoneOptions, utcOffsetLabel } from '../../../src/tiles/clock/time-zones';

describe('clock state parsing', () => {
  it('gives a complete default state for nothing at all', () => {
    for (const garbage of [undefined, null, 42, 'clock', [], [1, 2], {}]) {
      expect(parseClockState(garbage)).toEqual({
        mode: 'clock',
        label: '',
        timeZone: 'UTC',
        hour12: false,
        swStartedAt: null,
        swAccumulatedMs: 0,
        laps: [],
        timerDurationMs: 300_000,
        timerStartedAt: null,
        timerRemainingMs: 300_000,
        alarmSound: true,
      });
    }
  });

  it('replaces each bad field on its own and keeps the good ones', () => {
    const parsed = parseClockState({
      mode: 'sundial',
      label: 7,
      timeZone: 'Mars/Olympus_Mons',
      hour12: 'yes',
      swStartedAt: 'now',
      swAccumulatedMs: -5,
      laps: [1, 'two', 3],
      timerDurationMs: 60_000,
      timerStartedAt: 1_700_000_000_000,
      timerRemainingMs: 1e12,
      alarmSound: false,
      extra: { nested: true },
    });
    expect(parsed).toEqual({
      mode: 'clock',
      label: '',
      timeZone: 'UTC',
      hour12: false,
      swStartedAt: null,
      swAccumulatedMs: 0,
      laps: [],
      timerDurationMs: 60_000,
      timerStartedAt: 1_700_000_000_000,
      timerRemainingMs: 300_000,
      alarmSound: false,
    });
  });

  it('truncates over-long labels and lap lists instead of dropping them', () => {
    const parsed = parseClockState({ label: 'x'.repeat(200), laps: Array.from({ length: 150 }, (_, i) => i * 1000) });
    expect(parsed.label).toHaveLength(MAX_LABEL_LENGTH);
    expect(parsed.laps).toHaveLength(MAX_LAPS);
  });

  it('keeps valid IANA zones and starts in the given zone', () => {
    expect(parseClockState({ timeZone: 'Asia/Kathmandu' }).timeZone).toBe('Asia/Kathmandu');
    expect(initialClockState('Europe/Berlin', true)).toMatchObject({ mode: 'clock', timeZone: 'Europe/Berlin', hour12: true });
    expect(isValidTimeZone('Not/AZone')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('time zone picker options', () => {
  const winter = Date.UTC(2026, 0, 15, 12);
  const summer = Date.UTC(2026, 6, 15, 12);

  it('labels offsets at the given instant, daylight saving included', () => {
    expect(utcOffsetLabel('Europe/London', winter)).toBe('UTC±00:00');
    expect(utcOffsetLabel('Europe/London', summer)).toBe('UTC+01:00');
    expect(utcOffsetLabel('Asia/Kolkata', winter)).toBe('UTC+05:30');
    expect(utcOffsetLabel('America/Los_Angeles', winter)).toBe('UTC−08:00');
  });

  it("lists every zone the browser knows (Intl.supportedValuesOf), UTC included", () => {
    const values = timeZoneOptions({ current: 'UTC', local: 'UTC', at: winter }).map((option) => option.value);
    expect(values.length).toBeGreaterThan(300);
    expect(values).toContain('UTC');
    expect(values).toContain('Pacific/Chatham');
  });

  it('searches by place, region and offset, and always keeps the selected zone', () => {
    const options = timeZoneOptions({ current: 'Europe/Paris', local: 'UTC', at: winter });
    expect(searchTimeZones(options, 'new york').map((o) => o.value)).toEqual(['America/New_York']);
    // Listed by the browser under its old id (Asia/Calcutta), found and shown by its name.
    const kolkata = searchTimeZones(options, 'kolkata');
    expect(kolkata).toHaveLength(1);
    expect(kolkata[0]!.label).toBe('(UTC+05:30) Kolkata');
    expect(searchTimeZones(options, '+5:30').map((o) => o.value)).toContain(kolkata[0]!.value);
    expect(searchTimeZones(options, 'utc-8').map((o) => o.value)).toContain('America/Los_Angeles');
    expect(searchTimeZones(options, 'zzzz', 'Europe/Paris').map((o) => o.value)).toEqual(['Europe/Paris']);
    expect(searchTimeZones(options, '  ')).toHaveLength(options.length);
  });

  it('lists zones west to east, plus the local and current zones, once each', () => {
    const options = timeZoneOptions({ current: 'Asia/Kathmandu', local: 'Europe/Paris', at: winter });
    const values = options.map((option) => option.value);
    expect(values).toContain('Asia/Kathmandu');
    expect(new Set(values).size).toBe(values.length);
    expect(options.find((option) => option.value === 'Europe/Paris')?.label).toBe('(UTC+01:00) Paris — your time zone');
    const offsets = options.map((option) => option.offsetMinutes);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(values.every(isValidTimeZone)).toBe(true);
  });

  it('leaves out a zone this browser does not know', () => {
    const values = timeZoneOptions({ current: 'Bogus/Zone', local: 'UTC', at: winter }).map((option) => option.value);
    expect(values).not.toContain('Bogus/Zone');
  });
});
