import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../src/protocol/realtime';
import { CHAT_CONFIRM_TIMEOUT_MS, CHAT_KEPT, mergeChat, RoomStore, STALL_MS, type OnlineSource, type RoomNotice } from '../../../src/realtime/room-store';
import { createRateGuard } from '../../../src/lib/rate-guard';
import { FakeRoom } from './fake-room';

const message = (id: string, at: number, text = id): ChatMessage => ({ id, name: 'Ada', text, role: 'viewer', at });

describe('room store', () => {
  it('follows a room from connecting to synced and open', () => {
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room);
    let changes = 0;
    store.subscribe(() => changes++);
    expect(store.getView()).toMatchObject({ status: 'connecting', synced: false, everOpened: false });

    room.sync({ role: 'host', viewerCount: 3, chat: [message('m1', 1)] });
    expect(store.getView()).toMatchObject({ status: 'open', synced: true, everOpened: true, role: 'host', viewerCount: 3 });
    expect(store.getView().chat.map((m) => m.id)).toEqual(['m1']);
    expect(changes).toBeGreaterThan(0);

    room.setStatus('reconnecting');
    expect(store.getView()).toMatchObject({ status: 'reconnecting', everOpened: true });
  });

  it('passes reactions and rejections on as notices', () => {
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room);
    const notices: RoomNotice[] = [];
    store.onNotice((notice) => notices.push(notice));
    room.emit({ type: 'reaction', emoji: '🎉' });
    room.emit({ type: 'rejected', code: 'rate_limited', message: 'Too many chat messages', action: 'chat' });
    expect(notices).toEqual([
      { type: 'reaction', emoji: '🎉' },
      { type: 'rejected', code: 'rate_limited', message: 'Too many chat messages', action: 'chat' },
    ]);
  });

  it('stops listening once disposed', () => {
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room);
    store.dispose();
    room.sync({ role: 'viewer' });
    expect(store.getView().synced).toBe(false);
  });
});

/** The browser's online/offline events, played by the test. */
function fakeOnline() {
  let notify: (online: boolean) => void = () => undefined;
  const source: OnlineSource = { subscribe: (onChange) => ((notify = onChange), () => undefined) };
  return { source, set: (online: boolean) => notify(online) };
}

describe('offline and pending work', () => {
  afterEach(() => vi.useRealTimers());

  it('counts as stalled when changes wait without any ack, and recovers on the ack', () => {
    vi.useFakeTimers();
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room, fakeOnline().source);
    room.sync({ role: 'host' });
    room.unconfirmedCount = 1;
    room.emit({ type: 'snapshot', snapshot: room.snapshot });
    vi.advanceTimersByTime(STALL_MS - 1);
    expect(store.getView().stalled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(store.getView().stalled).toBe(true);
    room.unconfirmedCount = 0;
    room.emit({ type: 'snapshot', snapshot: room.snapshot });
    expect(store.getView().stalled).toBe(false);
  });

  it('does not call a long drag stalled while its changes keep being acknowledged', () => {
    vi.useFakeTimers();
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room, fakeOnline().source);
    room.sync({ role: 'host' });
    for (let i = 0; i < 20; i++) {
      room.unconfirmedCount = 3;
      room.emit({ type: 'snapshot', snapshot: room.snapshot });
      vi.advanceTimersByTime(STALL_MS / 2);
      room.unconfirmedCount = 2; // an ack
      room.emit({ type: 'snapshot', snapshot: room.snapshot });
    }
    expect(store.getView().stalled).toBe(false);
  });

  it('holds chat while the browser is offline, sends it when back, and confirms it on the echo', () => {
    const online = fakeOnline();
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room, online.source);
    room.sync({ role: 'viewer' });
    online.set(false);
    store.sendChat('Ada', 'hi');
    expect(store.getView().pendingChat).toMatchObject([{ name: 'Ada', text: 'hi', status: 'waiting' }]);
    expect(room.sentChat).toEqual([]);
    online.set(true);
    expect(room.sentChat).toEqual([{ name: 'Ada', text: 'hi' }]);
    expect(store.getView().pendingChat).toMatchObject([{ status: 'sending' }]);
    room.emit({ type: 'chat', message: message('m1', 1, 'hi') });
    expect(store.getView().pendingChat).toEqual([]);
    expect(store.getView().chat.map((m) => m.text)).toEqual(['hi']);
  });

  it('marks chat the server never confirms as failed, and retries it', () => {
    vi.useFakeTimers();
    const room = new FakeRoom({ sessionId: 's' });
    const store = new RoomStore(room, fakeOnline().source);
    room.sync({ role: 'viewer' });
    store.sendChat('Ada', 'lost');
    vi.advanceTimersByTime(CHAT_CONFIRM_TIMEOUT_MS);
    const [failed] = store.getView().pendingChat;
    expect(failed).toMatchObject({ status: 'failed', reason: 'The server did not confirm it.' });
    store.retryChat(failed!.localId);
    expect(room.sentChat).toHaveLength(2);
    store.discardChat(failed!.localId);
    expect(store.getView().pendingChat).toEqual([]);
  });
});

describe('chat merging', () => {
  it('merges a resync history with what is shown, by id, in time order', () => {
    const shown = [message('a', 1), message('c', 3)];
    const merged = mergeChat(shown, [message('b', 2), message('c', 3), message('d', 4)]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(mergeChat(merged, [message('a', 1)])).toBe(merged); // nothing new: same array, no re-render
  });

  it('keeps the newest messages within its bound', () => {
    const many = Array.from({ length: CHAT_KEPT + 50 }, (_, i) => message(`m${i}`, i));
    const merged = mergeChat([], many);
    expect(merged).toHaveLength(CHAT_KEPT);
    expect(merged[0]!.id).toBe('m50');
  });
});

describe('rate guard', () => {
  it('allows max actions per sliding window, then says how long to wait', () => {
    const guard = createRateGuard(3, 10_000);
    expect([guard.tryTake(0), guard.tryTake(1000), guard.tryTake(2000), guard.tryTake(3000)]).toEqual([true, true, true, false]);
    expect(guard.waitMs(3000)).toBe(7000);
    expect(guard.tryTake(10_000)).toBe(true); // the first one left the window
  });
});
