import type { BoardElement } from './board';
import type { ServerMessage } from './realtime';
import { MAX_SNAPSHOT_PART_BYTES } from './snapshot-parts';

/**
 * A stored board can be megabytes, and API Gateway delivers at most 128 KB per message: the
 * board travels in parts, each holding some of the elements (and the image URLs they use).
 * Elements reconcile by version, so a client applies each part as it comes.
 */
export type BoardSnapshotMessage = Extract<ServerMessage, { type: 'boardSnapshot' }>;

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export function splitBoardSnapshot(message: BoardSnapshotMessage, maxBytes = MAX_SNAPSHOT_PART_BYTES): BoardSnapshotMessage[] {
  const overhead = bytes({ ...message, elements: [], files: {}, part: 99_999, parts: 99_999 });
  const groups: BoardElement[][] = [[]];
  let size = overhead;
  for (const element of message.elements) {
    const fileId = element.type === 'image' && typeof element.fileId === 'string' ? element.fileId : undefined;
    const elementSize = bytes(element) + 1 + (fileId && message.files?.[fileId] ? bytes({ [fileId]: message.files[fileId] }) : 0);
    if (size + elementSize > maxBytes && groups.at(-1)!.length > 0) {
      groups.push([]);
      size = overhead;
    }
    groups.at(-1)!.push(element);
    size += elementSize;
  }
  return groups.map((elements, index) => {
    const files = filesOf(elements, message.files);
    const { files: _all, ...rest } = message;
    return { ...rest, elements, ...(files ? { files } : {}), part: index + 1, parts: groups.length };
  });
}

function filesOf(elements: readonly BoardElement[], files: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!files) return undefined;
  const used = Object.fromEntries(
    elements.flatMap((element) => (typeof element.fileId === 'string' && files[element.fileId] ? [[element.fileId, files[element.fileId]!]] : [])),
  );
  return Object.keys(used).length ? used : undefined;
}
