import { PROTOCOL_VERSION } from '../../../src/protocol/realtime.js';
import type { ConnectionsTable } from '../../data/connections-table.js';
import type { SessionStatesTable } from '../../data/session-states-table.js';
import { fanOut, type ConnectionPoster } from '../realtime/connection-poster.js';
import type { ReplayRecorder } from './replay-recorder.js';

/**
 * What ending a session means for its room, wherever the end comes from (the host's socket
 * or the dashboard's HTTP call): the canvas stops taking patches, the replay log records
 * the end, every connection hears `ended`, and all but `keepOpen` are closed.
 */
export interface RoomCloser {
  connections: ConnectionsTable;
  states: SessionStatesTable;
  poster: ConnectionPoster;
  /** Writes the replay's final checkpoint. */
  replay?: Pick<ReplayRecorder, 'afterLog'>;
}

export async function closeRoom(room: RoomCloser, sessionId: string, at: number, keepOpen?: string): Promise<void> {
  const seq = await room.states.markEnded(sessionId, at);
  const connections = await room.connections.listBySession(sessionId);
  const entry = { kind: 'ended' as const, seq, at };
  await Promise.all([
    fanOut(room.poster, connections.map((c) => c.connectionId), JSON.stringify({ type: 'ended', v: PROTOCOL_VERSION, at })),
    room.states.appendLog(sessionId, entry).then(() => room.replay?.afterLog(sessionId, entry)),
  ]);
  const others = connections.map((c) => c.connectionId).filter((id) => id !== keepOpen);
  await Promise.all(others.map((id) => room.poster.close(id).catch(() => undefined)));
}
