/**
 * The viewer page's room socket, opened by the inline start-up script (src/boot/early-start.js)
 * while the app was still downloading, handed to the room as if the room had opened it: a
 * `WebSocketImpl` for RoomConnection. Messages that arrived meanwhile (the snapshot, usually)
 * are replayed in order, and the room's own first `sync` is dropped when the early one went out.
 */
interface EarlyBoot {
  socket?: { url: string; socket: WebSocket; syncSent: boolean };
  messages: MessageEvent[];
  taken?: boolean;
}

const OPEN = 1;

function earlyBoot(): EarlyBoot | undefined {
  return typeof window === 'undefined' ? undefined : (window as { __streamcanvasBoot?: EarlyBoot }).__streamcanvasBoot;
}

/** A WebSocket constructor that adopts the early socket for its URL, once; otherwise a new WebSocket. */
export function earlySocketImpl(): typeof WebSocket | undefined {
  const boot = earlyBoot();
  if (!boot?.socket || boot.taken) return undefined;
  function EarlyWebSocket(url: string) {
    const early = boot!.socket;
    const first = !boot!.taken;
    // From here on the room owns its socket: the start-up script opens no other.
    boot!.taken = true;
    if (first && early && early.url === url && early.socket.readyState <= OPEN) return adopt(early, boot!.messages);
    if (first) early?.socket.close(); // opened for another address (a stale one): nobody will use it
    return new WebSocket(url);
  }
  return EarlyWebSocket as unknown as typeof WebSocket;
}

type Handler<E extends Event> = ((event: E) => void) | null;

function adopt(early: NonNullable<EarlyBoot['socket']>, buffered: MessageEvent[]) {
  const { socket } = early;
  let dropSync = false;
  const adapter = {
    get readyState() {
      return socket.readyState;
    },
    send(data: string) {
      if (dropSync && data.includes('"action":"sync"')) {
        dropSync = false; // the early sync already asked; its snapshot is on its way
        return;
      }
      socket.send(data);
    },
    close(code?: number, reason?: string) {
      socket.close(code, reason);
    },
    onopen: null as Handler<Event>,
    onmessage: null as Handler<MessageEvent>,
    onclose: null as Handler<CloseEvent>,
    onerror: null as Handler<Event>,
  };
  const deliver = () => {
    socket.onmessage = (event) => adapter.onmessage?.(event);
    for (const event of buffered.splice(0)) adapter.onmessage?.(event);
  };
  // The room sets its handlers right after constructing; take over the socket after that.
  queueMicrotask(() => {
    socket.onclose = (event) => adapter.onclose?.(event);
    socket.onerror = (event) => adapter.onerror?.(event);
    if (socket.readyState === OPEN) {
      dropSync = early.syncSent;
      adapter.onopen?.(new Event('open'));
      deliver();
    } else {
      // Not open yet: the room's own open handler sends its sync.
      socket.onopen = (event) => {
        adapter.onopen?.(event);
        deliver();
      };
    }
  });
  return adapter;
}
