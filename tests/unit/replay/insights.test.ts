import { describe, expect, it } from 'vitest';
import { computeInsights } from '../../../amplify/functions/session-api/insights';
import { emptySummary, type ReplaySummary } from '../../../src/protocol/replay-fold';
import type { Session } from '../../../src/protocol/session';
import { chatOf, count, fileStem, transcriptCsv, transcriptText } from '../../../src/insights/transcript';
import type { ChatMessage } from '../../../src/protocol/realtime';

const MINUTE = 60_000;
const T0 = Math.floor(1_750_000_000_000 / MINUTE) * MINUTE;
const session: Session = {
  sessionId: '00000000-0000-4000-8000-000000000000',
  hostId: 'host',
  title: 'Talk',
  status: 'ended',
  createdAt: new Date(T0 - 3600_000).toISOString(),
  updatedAt: new Date(T0 + 10 * MINUTE).toISOString(),
  endedAt: new Date(T0 + 10 * MINUTE).toISOString(),
};
const summary: ReplaySummary = {
  ...emptySummary,
  seq: 50,
  at: T0 + 10 * MINUTE,
  firstAt: T0,
  endedAt: T0 + 10 * MINUTE,
  chatCount: 3,
  chatPerMinute: [
    [T0, 2],
    [T0 + 5 * MINUTE, 1],
  ],
  codeRuns: { python: 2, cpp: 1 },
  tilesAdded: 4,
  liveMs: 8 * MINUTE,
};

describe('insights', () => {
  it('integrates the viewer count over the session: peak, average, viewer-minutes and joins', () => {
    const insights = computeInsights({
      session,
      summary,
      presence: [
        // Out of order on purpose; one sample after the end (the room closing) is ignored.
        { at: T0 + 2 * MINUTE, viewers: 2, joined: 1, left: 0 },
        { at: T0, viewers: 1, joined: 1, left: 0 },
        { at: T0 + 6 * MINUTE, viewers: 1, joined: 0, left: 1 },
        { at: T0 + 11 * MINUTE, viewers: 0, joined: 0, left: 1 },
      ],
      reactions: [
        { at: T0 + 30_000, emoji: '👏' },
        { at: T0 + 90_000, emoji: '👏' },
        { at: T0 + 95_000, emoji: '🎉' },
        { at: T0 + 20 * MINUTE, emoji: '🎉' },
      ],
      now: T0 + 60 * MINUTE,
      incomplete: [],
    });
    // 1 viewer for 2 min, 2 for 4 min, 1 for 4 min = 14 viewer-minutes over 10 minutes.
    expect(insights.viewers).toMatchObject({ peak: 2, viewerMinutes: 14, average: 1.4, joins: 2 });
    expect(insights).toMatchObject({ startAt: T0, endAt: T0 + 10 * MINUTE, durationMs: 10 * MINUTE, liveMs: 8 * MINUTE, bucketMs: MINUTE, tilesAdded: 4 });
    expect(insights.viewers.joinsOverTime.slice(0, 3)).toEqual([
      [T0, 1],
      [T0 + MINUTE, 0],
      [T0 + 2 * MINUTE, 1],
    ]);
    expect(insights.chat.total).toBe(3);
    expect(insights.chat.overTime[5]).toEqual([T0 + 5 * MINUTE, 1]);
    expect(insights.reactions).toMatchObject({ total: 3, byEmoji: { '👏': 2, '🎉': 1 } });
    expect(insights.reactions.overTime.slice(0, 2)).toEqual([
      [T0, 1],
      [T0 + MINUTE, 2],
    ]);
    expect(insights.codeRuns).toEqual({ total: 3, byLanguage: { python: 2, cpp: 1 } });
  });

  it('counts a live session up to now, including the stretch on air', () => {
    const live = computeInsights({
      session: { ...session, status: 'active', endedAt: undefined },
      summary: { ...summary, endedAt: undefined, liveMs: MINUTE, liveSince: T0 + 9 * MINUTE },
      presence: [],
      reactions: [],
      now: T0 + 12 * MINUTE,
      incomplete: ['log'],
    });
    expect(live).toMatchObject({ endAt: T0 + 12 * MINUTE, liveMs: 4 * MINUTE, incomplete: ['log'] });
    expect(live.viewers).toMatchObject({ peak: 0, viewerMinutes: 0, average: 0 });
  });

  it('widens the buckets of a long session so charts stay readable', () => {
    const long = computeInsights({
      session,
      summary: { ...summary, endedAt: T0 + 10 * 60 * MINUTE },
      presence: [],
      reactions: [],
      now: T0,
      incomplete: [],
    });
    expect(long.bucketMs).toBe(3 * MINUTE);
    expect(long.chat.overTime.length).toBeLessThanOrEqual(241);
    expect(long.chat.overTime.reduce((n, [, c]) => n + c, 0)).toBe(3);
  });

  it('keeps the concurrent-viewer series short for a big audience', () => {
    const presence = Array.from({ length: 5000 }, (_, i) => ({ at: T0 + i * 100, viewers: i % 50, joined: 1, left: 0 }));
    const insights = computeInsights({ session, summary, presence, reactions: [], now: T0, incomplete: [] });
    expect(insights.viewers.concurrent.length).toBeLessThanOrEqual(480);
    expect(Math.max(...insights.viewers.concurrent.map(([, n]) => n))).toBe(49);
  });
});

describe('chat transcript', () => {
  const messages: ChatMessage[] = [
    { id: '1', name: 'Ada', text: 'hello, "world"', role: 'viewer', at: Date.UTC(2026, 2, 3, 14, 5, 9) },
    { id: '2', name: 'Host', text: 'line one\nline two', role: 'host', at: Date.UTC(2026, 2, 3, 14, 6, 0) },
    { id: '3', name: '=cmd', text: '=HYPERLINK("x")', role: 'viewer', at: Date.UTC(2026, 2, 3, 14, 7, 0) },
  ];

  it('as text, one line per message with the host marked', () => {
    expect(transcriptText('Talk', messages)).toBe(
      'Chat of “Talk” (times in UTC)\n\n[2026-03-03 14:05:09] Ada: hello, "world"\n[2026-03-03 14:06:00] Host (host): line one\nline two\n[2026-03-03 14:07:00] =cmd: =HYPERLINK("x")\n',
    );
  });

  it('as CSV, quoted where needed, and no cell a spreadsheet would run as a formula', () => {
    expect(transcriptCsv(messages).split('\r\n')).toEqual([
      'time,name,role,message',
      '2026-03-03T14:05:09.000Z,Ada,viewer,"hello, ""world"""',
      '2026-03-03T14:06:00.000Z,Host,host,"line one\nline two"',
      `2026-03-03T14:07:00.000Z,'=cmd,viewer,"'=HYPERLINK(""x"")"`,
      '',
    ]);
  });

  it('takes the chat from the log, in order', () => {
    expect(chatOf([{ kind: 'patch', seq: 1, at: 1, patches: [] }, { kind: 'chat', seq: 2, at: 2, message: messages[0]! }, { kind: 'ended', seq: 3, at: 3 }])).toEqual([messages[0]]);
  });

  it('says 1 message, 2 messages', () => {
    expect([0, 1, 2].map((n) => count(n, 'message'))).toEqual(['0 messages', '1 message', '2 messages']);
  });

  it('names files after the session, safely', () => {
    expect(fileStem('Friday: code review / Q&A')).toBe('Friday-code-review-Q-A');
    expect(fileStem('../../etc')).toBe('etc');
    expect(fileStem('***')).toBe('session');
  });
});
