import type { PresenceSample } from '../../data/replay-store.js';
import type { ReplayReaction, SessionInsights } from '../../../src/protocol/replay.js';
import type { ReplaySummary } from '../../../src/protocol/replay-fold.js';
import type { Session } from '../../../src/protocol/session.js';

/** Charts get at most this many buckets and concurrent-viewer points. */
const MAX_BUCKETS = 240;
const MAX_CONCURRENT_POINTS = 480;
const MINUTE = 60_000;

export interface InsightsInput {
  session: Session;
  /** The log's summary through its end (stored summary plus the unsummarised tail). */
  summary: ReplaySummary;
  /** In any order. */
  presence: readonly PresenceSample[];
  reactions: readonly ReplayReaction[];
  now: number;
  incomplete: SessionInsights['incomplete'];
}

/** A host's numbers for one session, from its replay summary, presence samples and reactions: no scan of Connections. */
export function computeInsights(input: InsightsInput): SessionInsights {
  const { session, summary } = input;
  const ended = session.status === 'ended';
  const endedAt = session.endedAt ? Date.parse(session.endedAt) : undefined;
  const endAt = ended ? (summary.endedAt ?? endedAt ?? input.now) : input.now;
  const presence = [...input.presence].sort((a, b) => a.at - b.at).filter((sample) => sample.at <= endAt);
  const starts = [summary.firstAt, presence[0]?.at].filter((at): at is number => at !== undefined);
  const startAt = Math.min(starts.length ? Math.min(...starts) : Date.parse(session.createdAt), endAt);
  const durationMs = endAt - startAt;
  const bucketMs = Math.max(MINUTE, Math.ceil(durationMs / MAX_BUCKETS / MINUTE) * MINUTE);
  const buckets = () => bucketSeries(startAt, endAt, bucketMs);

  // Viewers: a step function, from each sample to the next.
  const first = presence[0];
  let current = first ? Math.max(0, first.viewers - first.joined + first.left) : 0;
  let since = startAt;
  let area = 0;
  let peak = current;
  let joins = 0;
  const concurrent: Array<[number, number]> = [[startAt, current]];
  const joinsOverTime = buckets();
  for (const sample of presence) {
    area += current * (sample.at - since);
    since = sample.at;
    current = sample.viewers;
    peak = Math.max(peak, current);
    joins += sample.joined;
    if (sample.joined) add(joinsOverTime, startAt, bucketMs, sample.at, sample.joined);
    concurrent.push([sample.at, current]);
  }
  area += current * (endAt - since);
  concurrent.push([endAt, current]);

  const chatOverTime = buckets();
  for (const [minute, count] of summary.chatPerMinute) add(chatOverTime, startAt, bucketMs, minute, count);
  const reactionsOverTime = buckets();
  const byEmoji: Record<string, number> = {};
  for (const reaction of input.reactions) {
    if (reaction.at > endAt) continue;
    add(reactionsOverTime, startAt, bucketMs, reaction.at, 1);
    byEmoji[reaction.emoji] = (byEmoji[reaction.emoji] ?? 0) + 1;
  }

  return {
    sessionId: session.sessionId,
    title: session.title,
    status: session.status,
    startAt,
    endAt,
    durationMs,
    liveMs: summary.liveMs + (summary.liveSince !== undefined ? Math.max(0, endAt - summary.liveSince) : 0),
    bucketMs,
    viewers: {
      peak,
      average: durationMs > 0 ? round(area / durationMs) : 0,
      viewerMinutes: round(area / MINUTE),
      joins,
      concurrent: downsample(concurrent, MAX_CONCURRENT_POINTS),
      joinsOverTime,
    },
    chat: { total: summary.chatCount, overTime: chatOverTime },
    reactions: { total: Object.values(byEmoji).reduce((a, b) => a + b, 0), overTime: reactionsOverTime, byEmoji },
    codeRuns: { total: Object.values(summary.codeRuns).reduce((a, b) => a + (b ?? 0), 0), byLanguage: summary.codeRuns },
    tilesAdded: summary.tilesAdded,
    incomplete: input.incomplete,
  };
}

function bucketSeries(startAt: number, endAt: number, bucketMs: number): Array<[number, number]> {
  const first = Math.floor(startAt / bucketMs) * bucketMs;
  const series: Array<[number, number]> = [];
  for (let at = first; at <= endAt; at += bucketMs) series.push([at, 0]);
  return series.length ? series : [[first, 0]];
}

function add(series: Array<[number, number]>, startAt: number, bucketMs: number, at: number, count: number) {
  const index = Math.floor(at / bucketMs) - Math.floor(startAt / bucketMs);
  const bucket = series[Math.min(Math.max(index, 0), series.length - 1)];
  if (bucket) bucket[1] += count;
}

/** Keeps the shape of a long step series: the highest value of each stretch, at the stretch's start. */
function downsample(points: Array<[number, number]>, max: number): Array<[number, number]> {
  if (points.length <= max) return points;
  const from = points[0]![0];
  const width = (points.at(-1)![0] - from) / max || 1;
  const kept = new Map<number, [number, number]>();
  for (const [at, value] of points) {
    const slot = Math.min(max - 1, Math.floor((at - from) / width));
    const existing = kept.get(slot);
    if (!existing) kept.set(slot, [from + slot * width, value]);
    else existing[1] = Math.max(existing[1], value);
  }
  return [...kept.values()];
}

const round = (value: number) => Math.round(value * 100) / 100;
