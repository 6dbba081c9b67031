import { describe, expect, it } from 'vitest';
import { fanOut, type ConnectionPoster } from '../../../amplify/functions/realtime/connection-poster';

type Outcome = 'sent' | 'gone' | Error;

/** A poster whose posts take a few ticks each, recording how many run at once. */
function fakePoster(outcomeFor: (id: string) => Outcome = () => 'sent', delay: (id: string) => number = () => 1) {
  const state = { inFlight: 0, maxInFlight: 0, started: [] as string[], finished: [] as string[], data: new Set<string>() };
  const poster: ConnectionPoster = {
    async post(id, data) {
      state.started.push(id);
      state.data.add(data);
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, delay(id)));
        const outcome = outcomeFor(id);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      } finally {
        state.inFlight--;
        state.finished.push(id);
      }
    },
    async close() {},
  };
  return { poster, state };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('fanOut', () => {
  it('does nothing for an empty list', async () => {
    const { poster, state } = fakePoster();
    expect(await fanOut(poster, [], 'x')).toEqual({ sent: 0, gone: [], failed: 0 });
    expect(state.started).toEqual([]);
  });

  it('posts the same data to every connection exactly once', async () => {
    const { poster, state } = fakePoster();
    const result = await fanOut(poster, ids(10), '{"type":"patch"}');
    expect(result).toEqual({ sent: 10, gone: [], failed: 0 });
    expect([...state.started].sort()).toEqual(ids(10).sort());
    expect([...state.data]).toEqual(['{"type":"patch"}']);
  });

  it.each([1, 3, 8])('never has more than %i posts in flight', async (concurrency) => {
    const { poster, state } = fakePoster(() => 'sent', (id) => 1 + (Number(id.slice(1)) % 4));
    const result = await fanOut(poster, ids(40), 'x', concurrency);
    expect(result.sent).toBe(40);
    expect(state.maxInFlight).toBe(concurrency);
  });

  it('defaults to 64 posts in flight', async () => {
    const { poster, state } = fakePoster();
    await fanOut(poster, ids(200), 'x');
    expect(state.maxInFlight).toBe(64);
  });

  it('uses no more workers than connections', async () => {
    const { poster, state } = fakePoster();
    await fanOut(poster, ids(3), 'x', 64);
    expect(state.maxInFlight).toBe(3);
  });

  it('waits for every post before resolving', async () => {
    const { poster, state } = fakePoster(() => 'sent', (id) => (id === 'c7' ? 30 : 1));
    await fanOut(poster, ids(10), 'x', 4);
    expect(state.finished).toHaveLength(10);
    expect(state.inFlight).toBe(0);
    expect(state.finished.at(-1)).toBe('c7');
  });

  it('reports connections API Gateway no longer knows', async () => {
    const { poster } = fakePoster((id) => (id === 'c2' || id === 'c5' ? 'gone' : 'sent'));
    const result = await fanOut(poster, ids(6), 'x', 2);
    expect(result.sent).toBe(4);
    expect([...result.gone].sort()).toEqual(['c2', 'c5']);
    expect(result.failed).toBe(0);
  });

  it('counts a throwing post as failed and keeps posting to the others', async () => {
    const { poster, state } = fakePoster((id) => (id === 'c0' || id === 'c3' ? new Error('throttled') : 'sent'));
    const result = await fanOut(poster, ids(8), 'x', 1);
    expect(result).toEqual({ sent: 6, gone: [], failed: 2 });
    expect(state.started).toEqual(ids(8));
  });

  it('counts a synchronously throwing poster as failed', async () => {
    const poster: ConnectionPoster = {
      post: ((id: string) => {
        if (id === 'c1') throw new Error('boom');
        return Promise.resolve('sent');
      }) as ConnectionPoster['post'],
      close: async () => undefined,
    };
    expect(await fanOut(poster, ids(3), 'x')).toEqual({ sent: 2, gone: [], failed: 1 });
  });

  it('survives every post failing', async () => {
    const { poster } = fakePoster(() => new Error('down'));
    expect(await fanOut(poster, ids(5), 'x', 2)).toEqual({ sent: 0, gone: [], failed: 5 });
  });

  it('posts to a repeated id as many times as it is listed', async () => {
    const { poster, state } = fakePoster();
    await fanOut(poster, ['a', 'a', 'b'], 'x');
    expect(state.started.sort()).toEqual(['a', 'a', 'b']);
  });
});
