import { useEffect, useState } from 'react';
import { useRoomStore } from '../../realtime/room-context';
import { BoardSession, type BoardRoom } from './board-session';

/**
 * One BoardSession per room and board, shared by every view of that board on the page (the
 * studio shows the tile and the editor at once) and disposed when the last one unmounts.
 */
const sessions = new WeakMap<BoardRoom, Map<string, { session: BoardSession; users: number }>>();

function acquire(room: BoardRoom, boardId: string): BoardSession {
  let byBoard = sessions.get(room);
  if (!byBoard) sessions.set(room, (byBoard = new Map()));
  let entry = byBoard.get(boardId);
  if (!entry) byBoard.set(boardId, (entry = { session: new BoardSession(boardId, room), users: 0 }));
  entry.users++;
  return entry.session;
}

function release(room: BoardRoom, boardId: string): void {
  const byBoard = sessions.get(room);
  const entry = byBoard?.get(boardId);
  if (!byBoard || !entry || --entry.users > 0) return;
  entry.session.dispose();
  byBoard.delete(boardId);
}

/** The board's session while mounted; undefined outside a live room or without a board id. */
export function useBoardSession(boardId: string): BoardSession | undefined {
  const room = useRoomStore()?.room;
  const [session, setSession] = useState<BoardSession>();
  useEffect(() => {
    if (!room || !boardId || !room.sendBoard) return;
    const acquired = acquire(room, boardId);
    setSession(acquired);
    return () => {
      release(room, boardId);
      setSession(undefined);
    };
  }, [room, boardId]);
  return session;
}
