import { describe, expect, it } from 'vitest';
import {
  clockReadout,
  formatCountdown,
  formatDuration,
  formatDurationInput,
  formatWallClock,
  lapSplits,
  parseDurationInput,
  stopwatch,
  stopwatchElapsedMs,
  timer,
  timerEndsAt,
  timerPhase,
  timerRemainingMs,
} from '../../../src/tiles/clock/clock-math';
import { MAX_LAPS, MAX_TIMER_MS, parseClockState, type ClockState } from '../../../src/tiles/clock/clock-state';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0); // a server time
const state = (overrides: Partial<ClockState> = {}): ClockState => parseClockState({ ...overrides });
/** Applies a change the way the tile does (a shallow merge). */
const apply = (s: ClockState, change: Partial<ClockState>): ClockState => ({ ...s, ...change });

describe('stopwatch arithmetic', () => {
  it('runs from its server-time start, the same for every screen that knows the server time', () => {
    const running = apply(state({ mode: 'stopwatch' }), stopwatch.start(state(), T0));
    expect(stopwatchElapsedMs(running, T0 + 12_345)).toBe(12_345);
    // Two screens whose clocks agree on server time show the same figure.
    expect(formatDuration(stopwatchElapsedMs(running, T0 + 61_230))).toBe('1:01.2');
  });

  it('pauses and resumes without losing or gaining time', () => {
    let s = apply(state(), stopwatch.start(state(), T0));
    s = apply(s, stopwatch.stop(s, T0 + 5_000));
    expect(s.swStartedAt).toBeNull();
    expect(stopwatchElapsedMs(s, T0 + 60_000)).toBe(5_000); // frozen while stopped
    s = apply(s, stopwatch.start(s, T0 + 60_000));
    expect(stopwatchElapsedMs(s, T0 + 62_500)).toBe(7_500);
    s = apply(s, stopwatch.stop(s, T0 + 63_000));
    expect(s.swAccumulatedMs).toBe(8_000);
  });

  it('ignores a second start and a stop when stopped', () => {
    const running = apply(state(), stopwatch.start(state(), T0));
    expect(stopwatch.start(running, T0 + 1000)).toEqual({});
    expect(stopwatch.stop(state(), T0)).toEqual({});
  });

  it('never shows negative time when a screen thinks it is earlier than the start', () => {
    const running = apply(state(), stopwatch.start(state(), T0));
    expect(stopwatchElapsedMs(running, T0 - 80)).toBe(0);
  });

  it('records laps as cumulative times and lists their splits', () => {
    let s = apply(state(), stopwatch.start(state(), T0));
    s = apply(s, stopwatch.lap(s, T0 + 10_000));
    s = apply(s, stopwatch.lap(s, T0 + 25_500));
    expect(s.laps).toEqual([10_000, 25_500]);
    expect(lapSplits(s.laps)).toEqual([
      { number: 1, splitMs: 10_000, totalMs: 10_000 },
      { number: 2, splitMs: 15_500, totalMs: 25_500 },
    ]);
    expect(stopwatch.lap(state({ laps: Array.from({ length: MAX_LAPS }, (_, i) => i) }), T0)).toEqual({});
  });

  it('resets to zero with no laps', () => {
    const s = apply(state({ swAccumulatedMs: 5000, laps: [1000] }), stopwatch.reset());
    expect(s).toMatchObject({ swStartedAt: null, swAccumulatedMs: 0, laps: [] });
  });
});

describe('timer arithmetic', () => {
  it('counts down from the server-time start and expires at zero', () => {
    let s = apply(state({ mode: 'timer' }), timer.set(90_000));
    expect(timerPhase(s, T0)).toBe('idle');
    s = apply(s, timer.start(s, T0));
    expect(timerEndsAt(s)).toBe(T0 + 90_000);
    expect(timerRemainingMs(s, T0 + 30_000)).toBe(60_000);
    expect(timerPhase(s, T0 + 89_999)).toBe('running');
    expect(timerPhase(s, T0 + 90_000)).toBe('expired');
    expect(timerRemainingMs(s, T0 + 200_000)).toBe(0);
    expect(formatCountdown(timerRemainingMs(s, T0 + 90_000))).toBe('0:00');
  });

  it('pauses, resumes and resets', () => {
    let s = apply(state(), timer.set(60_000));
    s = apply(s, timer.start(s, T0));
    s = apply(s, timer.pause(s, T0 + 20_000));
    expect(timerPhase(s, T0 + 100_000)).toBe('paused');
    expect(timerRemainingMs(s, T0 + 100_000)).toBe(40_000);
    s = apply(s, timer.start(s, T0 + 100_000));
    expect(timerRemainingMs(s, T0 + 130_000)).toBe(10_000);
    expect(timerPhase(s, T0 + 140_000)).toBe('expired');
    s = apply(s, timer.reset(s));
    expect(timerPhase(s, T0 + 150_000)).toBe('idle');
    expect(timerRemainingMs(s, T0 + 150_000)).toBe(60_000);
  });

  it('cannot start once expired, but restarts from the full duration', () => {
    let s = apply(state(), timer.set(10_000));
    s = apply(s, timer.start(s, T0));
    s = apply(s, timer.pause(s, T0 + 15_000)); // paused after expiry: 0 left
    expect(timerPhase(s, T0 + 15_000)).toBe('expired');
    expect(timer.start(s, T0 + 16_000)).toEqual({});
    s = apply(s, timer.restart(s, T0 + 16_000));
    expect(timerRemainingMs(s, T0 + 17_000)).toBe(9_000);
  });

  it('rounds a countdown up, so the last second reads 0:01 until zero', () => {
    expect(formatCountdown(999)).toBe('0:01');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(60_000)).toBe('1:00');
    expect(formatCountdown(3_600_000 + 1)).toBe('1:00:01');
  });

  it('clamps durations to whole seconds within the maximum', () => {
    expect(timer.set(1_499)).toMatchObject({ timerDurationMs: 1_000 });
    expect(timer.set(MAX_TIMER_MS + 60_000)).toMatchObject({ timerDurationMs: MAX_TIMER_MS });
    expect(timer.set(-5)).toMatchObject({ timerDurationMs: 0 });
  });
});

describe('formatting and parsing', () => {
  it('formats durations with tenths', () => {
    expect(formatDuration(0)).toBe('0:00.0');
    expect(formatDuration(65_432)).toBe('1:05.4');
    expect(formatDuration(3_723_400)).toBe('1:02:03.4');
    expect(formatDuration(-50)).toBe('0:00.0');
    expect(formatDurationInput(5 * 60_000)).toBe('5:00');
  });

  it.each([
    ['90', 90_000],
    ['1:30', 90_000],
    [' 5:00 ', 300_000],
    ['1:02:03', 3_723_000],
    ['0:0:1', 1_000],
  ])('parses %j', (text, ms) => {
    expect(parseDurationInput(text)).toBe(ms);
  });

  it.each(['', '0', '0:00', 'abc', '1:2:3:4', '-5', '1.5', '1:', '24:00:00', '1e3'])('refuses %j', (text) => {
    expect(parseDurationInput(text)).toBeUndefined();
  });
});

describe('wall clock and time zones', () => {
  it('shows the same instant in different zones', () => {
    const at = Date.UTC(2026, 0, 15, 23, 30, 5); // 15 Jan, 23:30:05 UTC
    expect(formatWallClock(at, 'UTC', { locale: 'en-GB' }).time).toBe('23:30:05');
    expect(formatWallClock(at, 'Asia/Kolkata', { locale: 'en-GB' })).toMatchObject({ time: '05:00:05' }); // +05:30, next day
    expect(formatWallClock(at, 'Asia/Kolkata', { locale: 'en-GB' }).date).toContain('16');
    expect(formatWallClock(at, 'America/New_York', { locale: 'en-US', hour12: true }).time).toBe('6:30:05 PM');
  });

  it('follows daylight saving time (New York: UTC−5 in winter, UTC−4 in summer)', () => {
    const winter = Date.UTC(2026, 0, 15, 17, 0, 0);
    const summer = Date.UTC(2026, 6, 15, 17, 0, 0);
    expect(formatWallClock(winter, 'America/New_York', { locale: 'en-GB' }).time).toBe('12:00:00');
    expect(formatWallClock(summer, 'America/New_York', { locale: 'en-GB' }).time).toBe('13:00:00');
    expect(formatWallClock(winter, 'America/New_York', { locale: 'en-US' }).zone).toBe('EST');
    expect(formatWallClock(summer, 'America/New_York', { locale: 'en-US' }).zone).toBe('EDT');
  });

  it('crosses the spring-forward gap without a repeated or missing second', () => {
    // 8 March 2026, 02:00 local does not exist in New York: 01:59:59 EST is followed by 03:00:00 EDT.
    const before = Date.UTC(2026, 2, 8, 6, 59, 59);
    expect(formatWallClock(before, 'America/New_York', { locale: 'en-GB' }).time).toBe('01:59:59');
    expect(formatWallClock(before + 1000, 'America/New_York', { locale: 'en-GB' }).time).toBe('03:00:00');
  });
});

describe('readout', () => {
  it('describes each mode the same way for the same server time', () => {
    const at = Date.UTC(2026, 0, 15, 9, 5, 0);
    expect(clockReadout(state({ mode: 'clock', timeZone: 'Europe/Paris' }), at, 'en-GB')).toMatchObject({
      main: '10:05:00',
      tone: 'neutral',
      name: 'Clock',
    });
    const running = state({ mode: 'stopwatch', swStartedAt: at - 3_250, laps: [1_000] });
    expect(clockReadout(running, at)).toMatchObject({ main: '0:03.2', detail: 'Running · 1 lap', tone: 'running', name: 'Stopwatch' });
    const expired = state({ mode: 'timer', timerDurationMs: 60_000, timerRemainingMs: 60_000, timerStartedAt: at - 61_000 });
    expect(clockReadout(expired, at)).toMatchObject({ main: '0:00', detail: "Time's up", tone: 'alarm', name: 'Timer' });
  });
});
