import { REACTION_WINDOW_MAX_MS, type ReplayEntry, type ReplayManifest, type ReplayState } from '../protocol/replay';
import { advance, effectiveAt, emptyReplayState } from '../protocol/replay-fold';
import type { ReplayReader } from './replay-api';
import { VirtualClock } from './virtual-clock';

/**
 * Plays a session's replay: the canvas and chat at any moment, on a virtual clock fed by the
 * log's `at` times. No WebSocket: a seek is one request for the nearest checkpoint and the log
 * after it; playing on reads the log page by page ahead of the playhead (and, for a live
 * session, polls for what was just logged). What it has read stays: seeking within it folds
 * locally from the nearest state it kept.
 */
export interface ReplayView {
  phase: 'loading' | 'ready' | 'error';
  error?: unknown;
  manifest?: ReplayManifest;
  /** The canvas and recent chat at the playhead. */
  state: ReplayState;
  playing: boolean;
  speed: number;
  /** The playhead waits for log entries that are still loading. */
  buffering: boolean;
  /** The timeline's start; its end is `engine.end()` (a live session's moves with the server's time). */
  start: number;
}

export interface ReplayEngineOptions {
  reader: ReplayReader;
  /** A live session: its replay ends at the server's now (the viewer's estimate), and grows. */
  live?: { serverNow: () => number };
  realNow?: () => number;
  /** Runs `tick` on the next frame; returns a cancel function. */
  schedule?: (tick: () => void) => () => void;
  /** A reaction sent at the moment the playhead just passed. */
  onReaction?: (emoji: string) => void;
  /** Live: the playhead reached the live edge. */
  onCaughtUp?: () => void;
  /** Where to start; default: when the host first went live (else the start). */
  startAt?: (manifest: ReplayManifest) => number;
  autoplay?: boolean;
}

/** Keep a state every this many entries, so a local seek folds at most this many. */
const SNAPSHOT_EVERY = 250;
/** Read the next page when fewer entries than this are left ahead of the playhead. */
const PREFETCH_ENTRIES = 150;
/** A live session's log is polled this often while the playhead is near its end. */
const LIVE_POLL_MS = 1500;
/** The playhead counts as live within this of the live edge. */
export const LIVE_EDGE_MS = 1500;
/** Reactions are read this far ahead of the playhead. */
const REACTION_LOOKAHEAD_MS = 60_000;
/** A jump longer than this (a seek) shows no reactions from the skipped stretch. */
const REACTION_JUMP_MS = 2_000;

interface Loaded {
  base: ReplayState;
  entries: ReplayEntry[];
  /** States after `index` entries, every SNAPSHOT_EVERY; the first is the base. */
  snapshots: Array<{ index: number; state: ReplayState }>;
  /** Read on after this seq; null when the log had nothing more when last asked. */
  next: number | null;
  lastSeq: number;
  /** The effective time of the last entry. */
  lastAt: number;
}

export class ReplayEngine {
  private view: ReplayView;
  private readonly listeners = new Set<() => void>();
  private readonly clock: VirtualClock;
  private readonly realNow: () => number;
  private readonly schedule: (tick: () => void) => () => void;
  private loaded?: Loaded;
  /** Entries of `loaded` applied to reach `view.state`. */
  private cursor = 0;
  private fetching = false;
  private lastPoll = -Infinity;
  private reactions: Array<{ at: number; emoji: string }> = [];
  private reactionsFrom = Infinity;
  private reactionsUntil = -Infinity;
  private seeking = false;
  private reactionsLoading = false;
  private lastTick = 0;
  private cancelFrame?: () => void;
  private disposed = false;
  /** Bumped on every seek: a slow answer to an older seek is dropped. */
  private generation = 0;

  constructor(private readonly options: ReplayEngineOptions) {
    this.realNow = options.realNow ?? (() => performance.now());
    this.schedule = options.schedule ?? ((tick) => {
      const frame = requestAnimationFrame(tick);
      return () => cancelAnimationFrame(frame);
    });
    this.clock = new VirtualClock(0, this.realNow);
    this.view = { phase: 'loading', state: emptyReplayState, playing: false, speed: 1, buffering: false, start: 0 };
  }

  // ---------------------------------------------------------------- for React

  getView = (): ReplayView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The playhead, read every frame by whatever shows it (tiles, the timeline). */
  time = (): number => Math.min(this.clock.now(), this.end());

  // ---------------------------------------------------------------- control

  async open(): Promise<void> {
    try {
      const manifest = await this.options.reader.manifest();
      if (this.disposed) return;
      this.set({ manifest, start: manifest.startAt });
      const start = this.options.startAt?.(manifest) ?? manifest.firstLiveAt ?? manifest.startAt;
      await this.seek(start);
      if (this.disposed) return;
      this.set({ phase: 'ready' });
      if (this.options.autoplay ?? true) this.play();
      this.loop();
    } catch (error) {
      if (!this.disposed) this.set({ phase: 'error', error });
    }
  }

  play(): void {
    if (this.view.phase === 'error') return;
    // At the end, play starts over.
    if (!this.options.live && this.time() >= this.end()) void this.seek(this.view.start);
    this.clock.play();
    this.lastTick = this.clock.now();
    this.set({ playing: true });
  }

  pause(): void {
    this.clock.pause();
    this.set({ playing: false, buffering: false });
  }

  toggle(): void {
    if (this.view.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(speed);
    this.set({ speed });
  }

  /** Moves the playhead (clamped to the timeline) and shows the canvas as it was then. */
  async seek(time: number): Promise<void> {
    const target = Math.min(Math.max(time, this.view.start), this.end());
    const generation = ++this.generation;
    this.clock.seek(target);
    this.lastTick = target;
    if (target < this.reactionsFrom || target > this.reactionsUntil) {
      this.reactions = [];
      this.reactionsFrom = target;
      this.reactionsUntil = -Infinity;
    }
    const loaded = this.loaded;
    if (loaded && loaded.base.at <= target && (target <= loaded.lastAt || loaded.next === null)) {
      this.seeking = false;
      this.foldLocally(loaded, target);
      return;
    }
    this.seeking = true;
    this.set({ buffering: true });
    const seek = await this.options.reader.seek(target).finally(() => {
      if (generation === this.generation) this.seeking = false;
    });
    if (this.disposed || generation !== this.generation) return;
    const base = seek.checkpoint ?? emptyReplayState;
    const fresh: Loaded = { base, entries: [], snapshots: [{ index: 0, state: base }], next: seek.next, lastSeq: base.seq, lastAt: base.at };
    this.append(fresh, seek.entries);
    this.loaded = fresh;
    this.foldLocally(fresh, this.clock.now());
    this.set({ buffering: false });
  }

  skip(deltaMs: number): Promise<void> {
    return this.seek(this.time() + deltaMs);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelFrame?.();
    this.listeners.clear();
  }

  // ---------------------------------------------------------------- internals

  /** The timeline's end: when the session ended, or (live) the server's now. */
  end(): number {
    return this.options.live ? this.options.live.serverNow() : (this.view.manifest?.endAt ?? 0);
  }

  private loop() {
    if (this.disposed) return;
    this.cancelFrame = this.schedule(() => {
      this.tick();
      this.loop();
    });
  }

  /** One frame: apply what the playhead passed, read ahead, stop at the end. */
  tick(): void {
    const loaded = this.loaded;
    if (!loaded || this.view.phase !== 'ready' || this.seeking || !this.view.playing) return;
    let now = this.clock.now();
    const end = this.end();
    if (now >= end) {
      now = end;
      if (this.options.live) {
        this.pause();
        this.options.onCaughtUp?.();
        return;
      }
      this.clock.seek(end);
      this.pause();
    }
    const out = loaded.next !== null && this.cursor >= loaded.entries.length && now > loaded.lastAt;
    if (out) {
      // Nothing loaded past here yet: hold the playhead until the next page is in.
      this.clock.seek(loaded.lastAt);
      now = loaded.lastAt;
    }
    this.apply(loaded, now);
    this.emitReactions(now);
    if (this.view.buffering !== out) this.set({ buffering: out });
    this.readAhead(loaded);
    this.lastTick = now;
  }

  private apply(loaded: Loaded, time: number) {
    let state = this.view.state;
    while (this.cursor < loaded.entries.length) {
      const entry = loaded.entries[this.cursor]!;
      if (entry.seq > state.seq && effectiveAt(state, entry) > time) break;
      state = advance(state, entry);
      this.cursor++;
      if (this.cursor % SNAPSHOT_EVERY === 0 && !loaded.snapshots.some((s) => s.index === this.cursor)) {
        loaded.snapshots.push({ index: this.cursor, state });
      }
    }
    if (state !== this.view.state) this.set({ state });
  }

  /** The state at `time` from the nearest kept state before it. */
  private foldLocally(loaded: Loaded, time: number) {
    let from = loaded.snapshots[0]!;
    for (const snapshot of loaded.snapshots) if (snapshot.state.at <= time && snapshot.index >= from.index) from = snapshot;
    this.cursor = from.index;
    this.view = { ...this.view, state: from.state };
    this.apply(loaded, time);
    this.set({ state: this.view.state });
  }

  private append(loaded: Loaded, entries: readonly ReplayEntry[]) {
    for (const entry of entries) {
      if (entry.seq <= loaded.lastSeq) continue;
      loaded.entries.push(entry);
      loaded.lastSeq = entry.seq;
      loaded.lastAt = Math.max(loaded.lastAt, entry.at);
    }
  }

  private readAhead(loaded: Loaded) {
    if (this.fetching) return;
    const ahead = loaded.entries.length - this.cursor;
    const live = this.options.live !== undefined;
    if (loaded.next !== null ? ahead >= PREFETCH_ENTRIES : !live || this.realNow() - this.lastPoll < LIVE_POLL_MS) return;
    if (loaded.next === null) this.lastPoll = this.realNow();
    this.fetching = true;
    const generation = this.generation;
    this.options.reader
      .log(loaded.next ?? loaded.lastSeq)
      .then((page) => {
        if (this.disposed || generation !== this.generation || this.loaded !== loaded) return;
        this.append(loaded, page.entries);
        loaded.next = page.next;
        this.apply(loaded, this.clock.now());
      })
      .catch(() => {
        // A failed read is retried on a later frame; the playhead holds meanwhile.
        this.lastPoll = this.realNow();
      })
      .finally(() => {
        this.fetching = false;
      });
  }

  private emitReactions(now: number) {
    const from = this.lastTick;
    if (now - from > 0 && now - from <= REACTION_JUMP_MS) {
      for (const reaction of this.reactions) if (reaction.at > from && reaction.at <= now) this.options.onReaction?.(reaction.emoji);
    }
    if (!this.options.onReaction || this.reactionsLoading || now + REACTION_LOOKAHEAD_MS / 2 < this.reactionsUntil) return;
    const windowStart = Math.max(now, this.reactionsUntil);
    const windowEnd = Math.min(windowStart + REACTION_WINDOW_MAX_MS, Math.max(this.end(), windowStart));
    this.reactionsLoading = true;
    const generation = this.generation;
    this.options.reader
      .reactions(windowStart, windowEnd)
      .then((reactions) => {
        if (generation !== this.generation) return; // a seek moved elsewhere meanwhile
        this.reactions = [...this.reactions.filter((r) => r.at >= now - REACTION_JUMP_MS), ...reactions];
        this.reactionsUntil = windowEnd;
      })
      .catch(() => undefined)
      .finally(() => {
        this.reactionsLoading = false;
      });
  }

  private set(change: Partial<ReplayView>) {
    const next = { ...this.view, ...change };
    if (Object.keys(change).every((key) => next[key as keyof ReplayView] === this.view[key as keyof ReplayView])) return;
    this.view = next;
    for (const listener of this.listeners) listener();
  }
}
