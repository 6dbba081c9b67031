import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/protocol/realtime';
import { CHAT_KEPT, mergeChat, RoomStore, type RoomNotice } from '../../../src/realtime/room-store';
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
