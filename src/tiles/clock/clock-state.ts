import { z } from 'zod';

/**
 * A clock tile shows a wall clock, a stopwatch or a countdown timer. Running times are
 * stored as server-time references (when it started, how much had elapsed before), so
 * every viewer computes the same value locally instead of receiving a tick each second.
 */
export const clockModes = ['clock', 'stopwatch', 'timer'] as const;
export type ClockMode = (typeof clockModes)[number];

export const MAX_LAPS = 99;
export const MAX_LABEL_LENGTH = 60;
export const MAX_TIMER_MS = 24 * 60 * 60 * 1000 - 1000;

const clockStateSchema = z.object({
  mode: z.enum(clockModes).catch('clock'),
  label: z.string().catch('').transform((label) => label.slice(0, MAX_LABEL_LENGTH)),
  timeZone: z.string().max(64).refine(isValidTimeZone).catch('UTC'),
  /** Wall clock: 12-hour (am/pm) or 24-hour display, the same for every viewer. */
  hour12: z.boolean().catch(false),
  /** Stopwatch: server time of the current run's start, or null when stopped. */
  swStartedAt: z.number().nullable().catch(null),
  /** Stopwatch: time accumulated by earlier runs. */
  swAccumulatedMs: z.number().nonnegative().catch(0),
  /** Stopwatch: elapsed time at each lap. */
  laps: z
    .array(z.number().nonnegative())
    .catch([])
    .transform((laps) => laps.slice(0, MAX_LAPS)),
  /** Timer: the duration it was set to. */
  timerDurationMs: z.number().min(0).max(MAX_TIMER_MS).catch(5 * 60 * 1000),
  /** Timer: server time of the current run's start, or null when paused or idle. */
  timerStartedAt: z.number().nullable().catch(null),
  /** Timer: what was left when it last paused (the duration when idle). */
  timerRemainingMs: z.number().min(0).max(MAX_TIMER_MS).catch(5 * 60 * 1000),
  /** Timer: beep when time is up (on screens that have had a click or key press). */
  alarmSound: z.boolean().catch(true),
});

export type ClockState = z.infer<typeof clockStateSchema>;

export function parseClockState(value: unknown): ClockState {
  const isRecord = typeof value === 'object' && value !== null && !Array.isArray(value);
  return clockStateSchema.parse(isRecord ? value : {});
}

export function initialClockState(timeZone = localTimeZone(), hour12 = prefersHour12()): ClockState {
  return parseClockState({ mode: 'clock', timeZone, hour12 });
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether this browser's locale writes times with am/pm: the default for a new clock. */
export function prefersHour12(locale?: string): boolean {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hour12 ?? false;
}
