import { PROTOCOL_VERSION } from '../../../src/protocol/realtime.js';
import type { ConnectionsTable } from '../../data/connections-table.js';
import type { SessionStatesTable } from '../../data/session-states-table.js';
import { fanOut, type ConnectionPoster } from '../realtime/connection-poster.js';
import type { ReplayRecorder } from './replay-recorder.js';
import type { EventPublisher } from '../realtime/event-api-publisher.js';
import { sessionChannel } from '../../../src/protocol/live-events.js';

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
  /** The Event API the session's subscribers hear `ended` on; without one it is posted to each connection. */
  events?: EventPublisher;
  log?: (entry: Record<string, unknown>) => void;
}

export async function closeRoom(room: RoomCloser, sessionId: string, at: number, keepOpen?: string): Promise<void> {
  const seq = await room.states.markEnded(sessionId, at);
  const connections = await room.connections.listBySession(sessionId);
  const entry = { kind: 'ended' as const, seq, at };
  const ended = JSON.stringify({ type: 'ended', v: PROTOCOL_VERSION, at });
  await Promise.all([
    tellEveryone(room, sessionId, connections.map((c) => c.connectionId), ended),
    room.states.appendLog(sessionId, entry).then(() => room.replay?.afterLog(sessionId, entry)),
  ]);
  const others = connections.map((c) => c.connectionId).filter((id) => id !== keepOpen);
  await Promise.all(others.map((id) => room.poster.close(id).catch(() => undefined)));
}

/** Through the Event API when there is one; to each connection if there is none or it fails. */
async function tellEveryone(room: RoomCloser, sessionId: string, connectionIds: string[], message: string) {
  if (room.events) {
    try {
      return await room.events.publish(sessionChannel(sessionId), message);
    } catch (error) {
      room.log?.({ level: 'error', message: 'Event API publish of ended failed; posting to each connection instead', sessionId, error: String(error) });
    }
  }
  await fanOut(room.poster, connectionIds, message);
}
