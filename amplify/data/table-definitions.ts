/**
 * The tables' keys and indexes as plain data, so the CDK construct and the
 * local stack create identical tables from one description.
 */
export type KeyType = 'S' | 'N';
export interface KeyDefinition {
  name: string;
  type: KeyType;
}
export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  /**
   * Non-key attributes the index copies (INCLUDE); every attribute (ALL) when absent. Writes to
   * attributes outside the projection cost the index nothing, and Queries read only these.
   */
  projectedAttributes?: readonly string[];
}
export interface TableDefinition {
  /** Logical name: the CDK construct id and, locally, the table name. */
  logicalName: string;
  /** Environment variable through which handlers learn the physical table name. */
  envVar: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  timeToLiveAttribute?: string;
  globalSecondaryIndexes: IndexDefinition[];
}

export const sessionsTable = {
  logicalName: 'StreamSessions',
  envVar: 'SESSIONS_TABLE',
  partitionKey: { name: 'sessionId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'HostIdIndex',
      partitionKey: { name: 'hostId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

export const sessionStatesTable = {
  logicalName: 'SessionStates',
  envVar: 'SESSION_STATES_TABLE',
  partitionKey: { name: 'sessionId', type: 'S' },
  sortKey: { name: 'timestamp', type: 'N' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
} as const satisfies TableDefinition;

export const connectionsTable = {
  logicalName: 'Connections',
  envVar: 'CONNECTIONS_TABLE',
  partitionKey: { name: 'connectionId', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'SessionIdIndex',
      partitionKey: { name: 'sessionId', type: 'S' },
      // What fan-out and the cleanup of gone connections read; not the rate-limit buckets (`rl_*`),
      // which change on every chat, reaction and signal.
      projectedAttributes: ['role', 'connectedAt'],
    },
  ],
} as const satisfies TableDefinition;

/**
 * Slide decks and which sessions use them, one table with generic keys (decks-table.ts):
 *   host#<hostId>    deck#<deckId>     a deck (its metadata; the PDF is in the files bucket)
 *   host#<hostId>    processing        the host's one upload or conversion in progress (a lock)
 *   session#<id>     deck#<deckId>     the deck is attached to the session (viewers may read it)
 */
export const decksTable = {
  logicalName: 'Decks',
  envVar: 'DECKS_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
} as const satisfies TableDefinition;

/**
 * Whiteboards, outside the session head (which DynamoDB caps at 400 KB). Per board
 * (`boardKey` = `<sessionId>#<boardId>`): one item per element (`e#<elementId>`), one log item
 * per stored batch (`l#<rev>`, the replay record) and a `meta` item with the revision counter
 * and the stored size. amplify/data/boards-table.ts explains the requests.
 */
export const boardsTable = {
  logicalName: 'Boards',
  envVar: 'BOARDS_TABLE',
  partitionKey: { name: 'boardKey', type: 'S' },
  sortKey: { name: 'itemKey', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
} as const satisfies TableDefinition;

export const tableDefinitions: readonly TableDefinition[] = [sessionsTable, sessionStatesTable, connectionsTable, decksTable, boardsTable];
