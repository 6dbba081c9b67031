/** The speeds a replay plays at; `<` and `>` step through them. */
export const PLAYBACK_SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

/**
 * A replay's time, in the session's own epoch milliseconds (the log's `at`), driven by a real
 * monotonic clock: while playing, it advances `speed` times as fast as the real one. Every
 * change re-anchors it, so pausing, seeking or changing speed never makes it jump.
 */
export class VirtualClock {
  private anchor: number;
  private realAnchor: number;
  private running = false;
  private rate: number = 1;

  constructor(
    start: number,
    private readonly realNow: () => number = () => performance.now(),
  ) {
    this.anchor = start;
    this.realAnchor = realNow();
  }

  now(): number {
    return this.running ? this.anchor + (this.realNow() - this.realAnchor) * this.rate : this.anchor;
  }

  get playing(): boolean {
    return this.running;
  }

  get speed(): number {
    return this.rate;
  }

  play(): void {
    if (this.running) return;
    this.realAnchor = this.realNow();
    this.running = true;
  }

  pause(): void {
    this.anchor = this.now();
    this.running = false;
  }

  seek(time: number): void {
    this.anchor = time;
    this.realAnchor = this.realNow();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`A playback speed must be a positive number, not ${speed}.`);
    this.anchor = this.now();
    this.realAnchor = this.realNow();
    this.rate = speed;
  }
}

/** The next speed up (1) or down (−1) from `current`, staying within PLAYBACK_SPEEDS. */
export function stepSpeed(current: number, direction: 1 | -1): PlaybackSpeed {
  const index = PLAYBACK_SPEEDS.findIndex((speed) => speed >= current);
  const at = index === -1 ? PLAYBACK_SPEEDS.length - 1 : PLAYBACK_SPEEDS[index] === current ? index : direction > 0 ? index - 1 : index;
  return PLAYBACK_SPEEDS[Math.min(PLAYBACK_SPEEDS.length - 1, Math.max(0, at + direction))]!;
}
