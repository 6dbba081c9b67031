import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useOptionalAppConfig } from '../config';
import { earlySocketImpl } from './early-socket';
import { eventApiBroadcast } from './event-api-broadcast';
import { RoomConnection, type RoomConnectionOptions } from './room-connection';
import { initialRoomView, RoomStore, type RoomLike, type RoomNotice, type RoomView } from './room-store';

export type RoomOptions = Pick<RoomConnectionOptions, 'sessionId' | 'getToken' | 'checkSession'>;
export type ConnectRoom = (options: RoomOptions) => RoomLike;

const RoomConnectorContext = createContext<ConnectRoom | null>(null);

/** Lets tests (and tools) replace the WebSocket room with their own. */
export function RoomConnectorProvider({ connect, children }: { connect: ConnectRoom; children: ReactNode }) {
  return <RoomConnectorContext.Provider value={connect}>{children}</RoomConnectorContext.Provider>;
}

function useRoomConnector(): ConnectRoom {
  const injected = useContext(RoomConnectorContext);
  const config = useOptionalAppConfig();
  if (injected) return injected;
  return (options) => {
    if (!config) throw new Error('useRoom needs the app config (webSocketUrl) or a RoomConnectorProvider.');
    // A viewer page's socket may already be open (started before the app loaded): adopt it.
    const WebSocketImpl = earlySocketImpl();
    return new RoomConnection({
      ...options,
      webSocketUrl: config.webSocketUrl,
      ...(WebSocketImpl ? { WebSocketImpl } : {}),
      ...(config.events ? { broadcast: eventApiBroadcast(config.outputs) } : {}),
    });
  };
}

/**
 * Connects to a session's room while mounted (and `enabled`), and renders from its view.
 * The token and session-check callbacks are read when needed, so new function identities
 * never reconnect.
 */
export function useRoom(options: RoomOptions & { enabled?: boolean }): { store: RoomStore | undefined; view: RoomView } {
  const connect = useRoomConnector();
  const connectRef = useRef(connect);
  connectRef.current = connect;
  const callbacks = useRef(options);
  callbacks.current = options;
  const [store, setStore] = useState<RoomStore>();
  const enabled = options.enabled ?? true;

  // A layout effect: the room (and a snapshot the page's early socket already holds) is in
  // before the first paint, instead of a frame with a loading screen first.
  useLayoutEffect(() => {
    if (!enabled) return;
    const room = connectRef.current({
      sessionId: options.sessionId,
      getToken: callbacks.current.getToken && (() => callbacks.current.getToken!()),
      checkSession: callbacks.current.checkSession && (() => callbacks.current.checkSession!()),
    });
    const created = new RoomStore(room);
    setStore(created);
    return () => {
      created.dispose();
      room.close();
      setStore(undefined);
    };
  }, [options.sessionId, enabled]);

  const view = useSyncExternalStore(store?.subscribe ?? noSubscription, store?.getView ?? initialView, store?.getView ?? initialView);
  return { store, view };
}

/** Calls `onNotice` for each reaction and rejection while mounted. */
export function useRoomNotices(store: RoomStore | undefined, onNotice: (notice: RoomNotice) => void): void {
  const handler = useRef(onNotice);
  handler.current = onNotice;
  useEffect(() => store?.onNotice((notice) => handler.current(notice)), [store]);
}

const noSubscription = () => () => undefined;
const initialView = () => initialRoomView;
