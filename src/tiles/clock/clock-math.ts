import { MAX_LAPS, MAX_TIMER_MS, type ClockState } from './clock-state';

/** Pure time arithmetic for the clock tile. `now` is always the server's time. */

export function stopwatchElapsedMs(state: ClockState, now: number): number {
  return state.swAccumulatedMs + (state.swStartedAt === null ? 0 : Math.max(0, now - state.swStartedAt));
}

export const stopwatch = {
  start: (state: ClockState, now: number): Partial<ClockState> => (state.swStartedAt === null ? { swStartedAt: now } : {}),
  stop: (state: ClockState, now: number): Partial<ClockState> =>
    state.swStartedAt === null ? {} : { swStartedAt: null, swAccumulatedMs: stopwatchElapsedMs(state, now) },
  reset: (): Partial<ClockState> => ({ swStartedAt: null, swAccumulatedMs: 0, laps: [] }),
  lap: (state: ClockState, now: number): Partial<ClockState> =>
    state.laps.length >= MAX_LAPS ? {} : { laps: [...state.laps, stopwatchElapsedMs(state, now)] },
};

export interface Lap {
  number: number;
  /** This lap alone. */
  splitMs: number;
  /** Elapsed at the end of this lap. */
  totalMs: number;
}

/** Laps as a list of splits; the stored laps are cumulative elapsed times. */
export function lapSplits(laps: readonly number[]): Lap[] {
  return laps.map((totalMs, index) => ({ number: index + 1, splitMs: Math.max(0, totalMs - (laps[index - 1] ?? 0)), totalMs }));
}

export function timerRemainingMs(state: ClockState, now: number): number {
  if (state.timerStartedAt === null) return state.timerRemainingMs;
  return Math.max(0, state.timerRemainingMs - Math.max(0, now - state.timerStartedAt));
}

/** Server time at which a running timer reaches zero; undefined when it is not running. */
export function timerEndsAt(state: ClockState): number | undefined {
  return state.timerStartedAt === null ? undefined : state.timerStartedAt + state.timerRemainingMs;
}

export type TimerPhase = 'idle' | 'running' | 'paused' | 'expired';

export function timerPhase(state: ClockState, now: number): TimerPhase {
  if (state.timerStartedAt !== null) return timerRemainingMs(state, now) === 0 ? 'expired' : 'running';
  if (state.timerRemainingMs === 0) return 'expired';
  return state.timerRemainingMs === state.timerDurationMs ? 'idle' : 'paused';
}

export const timer = {
  set: (durationMs: number): Partial<ClockState> => {
    const clamped = Math.min(MAX_TIMER_MS, Math.max(0, Math.round(durationMs / 1000) * 1000));
    return { timerDurationMs: clamped, timerRemainingMs: clamped, timerStartedAt: null };
  },
  start: (state: ClockState, now: number): Partial<ClockState> =>
    state.timerStartedAt !== null || state.timerRemainingMs === 0 ? {} : { timerStartedAt: now },
  pause: (state: ClockState, now: number): Partial<ClockState> =>
    state.timerStartedAt === null ? {} : { timerStartedAt: null, timerRemainingMs: timerRemainingMs(state, now) },
  reset: (state: ClockState): Partial<ClockState> => ({ timerStartedAt: null, timerRemainingMs: state.timerDurationMs }),
  /** From the full duration again, running. */
  restart: (state: ClockState, now: number): Partial<ClockState> =>
    state.timerDurationMs === 0 ? {} : { timerStartedAt: now, timerRemainingMs: state.timerDurationMs },
};

/** "1:02:03.4" style; tenths make agreement between screens visible. */
export function formatDuration(ms: number, { tenths = true } = {}): string {
  const total = Math.max(0, Math.floor(ms / 100));
  const t = total % 10;
  const seconds = Math.floor(total / 10) % 60;
  const minutes = Math.floor(total / 600) % 60;
  const hours = Math.floor(total / 36000);
  const mmss = `${String(minutes).padStart(hours ? 2 : 1, '0')}:${String(seconds).padStart(2, '0')}`;
  return `${hours ? `${hours}:` : ''}${mmss}${tenths ? `.${t}` : ''}`;
}

/** A countdown shows whole seconds, rounded up, so it reads 0:00 exactly when it expires. */
export function formatCountdown(ms: number): string {
  return formatDuration(Math.ceil(ms / 1000) * 1000, { tenths: false });
}

export interface WallClockOptions {
  locale?: string;
  hour12?: boolean;
}

export function formatWallClock(
  now: number,
  timeZone: string,
  { locale, hour12 = false }: WallClockOptions = {},
): { time: string; date: string; zone: string } {
  const date = new Date(now);
  const time = hour12
    ? formatter(locale, { timeZone, hour: 'numeric', minute: '2-digit', second: '2-digit', hour12: true })
    : formatter(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return {
    time: time.format(date),
    date: formatter(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(date),
    zone: formatter(locale, { timeZone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? timeZone,
  };
}

/** Creating an Intl formatter is slow and faces format on every animation frame: reuse them. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    if (formatters.size > 200) formatters.clear();
    formatters.set(key, (cached = new Intl.DateTimeFormat(locale, options)));
  }
  return cached;
}

/** Parses "90", "1:30", "1:02:03" into ms; undefined when it is not a duration. */
export function parseDurationInput(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => !/^\d{1,3}$/.test(p))) return undefined;
  const numbers = parts.map(Number);
  const [h, m, s] = numbers.length === 3 ? numbers : numbers.length === 2 ? [0, ...numbers] : [0, 0, ...numbers];
  const ms = ((h! * 60 + m!) * 60 + s!) * 1000;
  return ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** The duration as someone would type it: "5:00", "1:30:00". */
export function formatDurationInput(ms: number): string {
  return formatDuration(ms, { tenths: false });
}

export type ClockTone = 'neutral' | 'running' | 'paused' | 'alarm';

/** Everything a clock face shows at one instant: the same on every screen for the same `now`. */
export interface ClockReadout {
  /** The big figure. */
  main: string;
  /** The line below it: date and zone, or the state in words. */
  detail: string;
  tone: ClockTone;
  /** What the big figure is, for assistive technology. */
  name: string;
}

export function clockReadout(state: ClockState, now: number, locale?: string): ClockReadout {
  switch (state.mode) {
    case 'clock': {
      const { time, date, zone } = formatWallClock(now, state.timeZone, { locale, hour12: state.hour12 });
      return { main: time, detail: `${date} · ${zone}`, tone: 'neutral', name: 'Clock' };
    }
    case 'stopwatch': {
      const running = state.swStartedAt !== null;
      const elapsed = stopwatchElapsedMs(state, now);
      const laps = state.laps.length ? ` · ${state.laps.length} ${state.laps.length === 1 ? 'lap' : 'laps'}` : '';
      const detail = running ? 'Running' : elapsed > 0 ? 'Stopped' : 'Ready';
      return { main: formatDuration(elapsed), detail: `${detail}${laps}`, tone: running ? 'running' : elapsed > 0 ? 'paused' : 'neutral', name: 'Stopwatch' };
    }
    case 'timer': {
      const phase = timerPhase(state, now);
      const of = `of ${formatDurationInput(state.timerDurationMs)}`;
      const detail = { idle: `Ready · ${of}`, running: `Running · ${of}`, paused: `Paused · ${of}`, expired: "Time's up" }[phase];
      const tone: ClockTone = { idle: 'neutral', running: 'running', paused: 'paused', expired: 'alarm' }[phase] as ClockTone;
      return { main: formatCountdown(timerRemainingMs(state, now)), detail, tone, name: 'Timer' };
    }
  }
}
