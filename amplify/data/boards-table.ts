import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_BOARD_BYTES, elementBytes, type BoardElement } from '../../src/protocol/board.js';
import { LOG_RETENTION_SECONDS } from './session-states-table.js';

/**
 * The only code that reads or writes the Boards table. A board is one partition,
 * `boardKey` = `<sessionId>#<boardId>` (the session comes from the caller's authorized
 * connection, so no client can name another session's board):
 *
 * - `e#<elementId>`: the element's latest version, as the JSON the host sent (`json`), with
 *   `version`, `nonce` and `size` beside it for the conditional write and the size count.
 * - `l#<rev>` (rev zero-padded): one item per stored batch, `{rev, at, json}`: the replay record.
 * - `meta`: `rev` (batches stored) and `bytes` (the elements' JSON, tombstones included).
 *
 * Elements are stored as JSON strings, not maps: read back byte for byte, and no per-number
 * marshalling for a board of thousands of elements.
 */
export interface BoardsTable {
  /**
   * Stores the elements that are newer than the stored ones (version, then the lower
   * versionNonce, as Excalidraw reconciles) and counts a new revision. Nothing newer: no new
   * revision. Refused, with nothing stored, when the board would pass MAX_BOARD_BYTES.
   */
  store(sessionId: string, boardId: string, elements: readonly BoardElement[], at: number): Promise<StoreOutcome>;
  /** Logs a stored batch under its revision (after `store`, beside the fan-out). */
  appendLog(sessionId: string, boardId: string, entry: BoardLogEntry): Promise<void>;
  /** The whole board and the revision it is at least at (read before the elements, consistently). */
  load(sessionId: string, boardId: string): Promise<{ rev: number; elements: BoardElement[] }>;
  /** Logged batches after `afterRev`, oldest first: what replay rebuilds a board from. */
  readLog(sessionId: string, boardId: string, afterRev: number, limit: number): Promise<BoardLogEntry[]>;
}

export type StoreOutcome =
  | { ok: true; rev: number; stored: BoardElement[] }
  | { ok: false; reason: 'board_too_large'; message: string };

export interface BoardLogEntry {
  rev: number;
  at: number;
  elements: BoardElement[];
}

/** Element writes in flight at once for one batch. */
const WRITE_CONCURRENCY = 16;
const META = 'meta';
const elementKey = (id: string) => `e#${id}`;
const logKey = (rev: number) => `l#${String(rev).padStart(12, '0')}`;
export const boardKeyOf = (sessionId: string, boardId: string) => `${sessionId}#${boardId}`;

export function boardsTableAccess(client: DynamoDBDocumentClient, tableName: string, limits = { maxBoardBytes: MAX_BOARD_BYTES }): BoardsTable {
  const expiresAt = (at: number) => Math.floor(at / 1000) + LOG_RETENTION_SECONDS;

  async function readMeta(boardKey: string): Promise<{ rev: number; bytes: number }> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { boardKey, itemKey: META }, ConsistentRead: true }));
    return { rev: Number(Item?.rev ?? 0), bytes: Number(Item?.bytes ?? 0) };
  }

  /** Writes one element if it supersedes the stored one; returns the bytes it added, or undefined if it lost. */
  async function putElement(boardKey: string, element: BoardElement, at: number): Promise<number | undefined> {
    const json = JSON.stringify(element);
    const size = elementBytes(element);
    try {
      const { Attributes } = await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { boardKey, itemKey: elementKey(element.id), version: element.version, nonce: element.versionNonce, size, json, expiresAt: expiresAt(at) },
          ConditionExpression: 'attribute_not_exists(itemKey) OR #version < :version OR (#version = :version AND #nonce > :nonce)',
          ExpressionAttributeNames: { '#version': 'version', '#nonce': 'nonce' },
          ExpressionAttributeValues: { ':version': element.version, ':nonce': element.versionNonce },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return size - Number(Attributes?.size ?? 0);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  return {
    async store(sessionId, boardId, elements, at) {
      const boardKey = boardKeyOf(sessionId, boardId);
      const { bytes } = await readMeta(boardKey);
      // A deletion or an edit replaces an element of about its size; only live elements can grow the board.
      const growth = elements.filter((e) => !e.isDeleted).reduce((total, e) => total + elementBytes(e), 0);
      if (growth > 0 && bytes + growth > limits.maxBoardBytes) {
        return {
          ok: false,
          reason: 'board_too_large',
          message: `The board is full: it holds ${mb(bytes)} of its ${mb(limits.maxBoardBytes)}. Delete elements or clear the board, or add another whiteboard tile.`,
        };
      }
      const stored: BoardElement[] = [];
      let delta = 0;
      for (let i = 0; i < elements.length; i += WRITE_CONCURRENCY) {
        const slice = elements.slice(i, i + WRITE_CONCURRENCY);
        const added = await Promise.all(slice.map((element) => putElement(boardKey, element, at)));
        added.forEach((bytesAdded, j) => {
          if (bytesAdded === undefined) return;
          stored.push(slice[j]!);
          delta += bytesAdded;
        });
      }
      if (stored.length === 0) return { ok: true, rev: (await readMeta(boardKey)).rev, stored };
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { boardKey, itemKey: META },
          UpdateExpression: 'ADD #rev :one, #bytes :delta SET #updatedAt = :at, #expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#rev': 'rev', '#bytes': 'bytes', '#updatedAt': 'updatedAt', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':one': 1, ':delta': delta, ':at': at, ':expiresAt': expiresAt(at) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { ok: true, rev: Number(Attributes?.rev), stored };
    },

    async appendLog(sessionId, boardId, { rev, at, elements }) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { boardKey: boardKeyOf(sessionId, boardId), itemKey: logKey(rev), rev, at, json: JSON.stringify(elements), expiresAt: expiresAt(at) },
        }),
      );
    },

    async load(sessionId, boardId) {
      const boardKey = boardKeyOf(sessionId, boardId);
      const { rev } = await readMeta(boardKey);
      const elements: BoardElement[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'boardKey = :boardKey AND begins_with(itemKey, :prefix)',
            ExpressionAttributeValues: { ':boardKey': boardKey, ':prefix': 'e#' },
            ProjectionExpression: 'json',
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) elements.push(JSON.parse(String(item.json)) as BoardElement);
        start = page.LastEvaluatedKey;
      } while (start);
      return { rev, elements };
    },

    async readLog(sessionId, boardId, afterRev, limit) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'boardKey = :boardKey AND itemKey BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':boardKey': boardKeyOf(sessionId, boardId), ':from': logKey(afterRev + 1), ':to': logKey(999_999_999_999) },
          Limit: limit,
        }),
      );
      return (Items ?? []).map((item) => ({ rev: Number(item.rev), at: Number(item.at), elements: JSON.parse(String(item.json)) as BoardElement[] }));
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
