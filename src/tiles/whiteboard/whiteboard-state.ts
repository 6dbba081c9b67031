import { boardIdSchema } from '../../protocol/board';

/**
 * A whiteboard tile's state is only a reference: the board's id. The elements live in the
 * Boards table (amplify/data/boards-table.ts), never in the session head; `rev` is the board
 * revision the host had saved when it last paused drawing, a marker in the replay log.
 */
export type WhiteboardState = { boardId: string; rev?: number };

export function newBoardId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function initialWhiteboardState(): WhiteboardState {
  return { boardId: newBoardId() };
}

/** Garbage in, a state without a board out: the views then say the board is missing. */
export function parseWhiteboardState(value: unknown): WhiteboardState {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const boardId = boardIdSchema.safeParse(record.boardId);
  const rev = typeof record.rev === 'number' && Number.isSafeInteger(record.rev) && record.rev >= 0 ? record.rev : undefined;
  return { boardId: boardId.success ? boardId.data : '', ...(rev !== undefined ? { rev } : {}) };
}
