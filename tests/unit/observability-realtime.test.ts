import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionItem, ConnectionsTable } from '../../amplify/data/connections-table.js';
import type { SessionHead, SessionStatesTable } from '../../amplify/data/session-states-table.js';
import type { SessionsTable } from '../../amplify/data/sessions-table.js';
import type { BoardsTable } from '../../amplify/data/boards-table.js';
import type { RunResult } from '../../src/protocol/code.js';
import type { ConnectionPoster } from '../../amplify/functions/realtime/connection-poster.js';
import { createRealtimeHandler, type RealtimeDeps } from '../../amplify/functions/realtime/handler.js';
import type { WebSocketEvent } from '../../amplify/functions/realtime/websocket-event.js';
import { createObservability } from '../../amplify/functions/shared/observability.js';
import { captureOutput, clearPowertoolsEnv, metricsIn } from './observability-support.js';

/**
 * The realtime function emits the app's metrics (publishes with fan-out duration, active
 * viewers, rejected messages by reason, code runs by language) and structured logs, through a
 * real Powertools Metrics/Logger whose output is captured. The tables are small fakes.
 */

const SESSION = '0f8fad5b-d9cb-469f-a165-70867728950e';

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  clearPowertoolsEnv();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

function harness(options: { rateLimited?: boolean; publishFails?: boolean } = {}) {
  let clock = 1_700_000_000_000;
  let seq = 0;
  let viewerCount = 0;
  const connections = new Map<string, ConnectionItem>();
  const sent: Array<{ connectionId: string; data: string }> = [];
  const poster: ConnectionPoster = {
    post: async (connectionId, data) => {
      sent.push({ connectionId, data });
      return 'sent';
    },
    close: async () => undefined,
  };
  const head = (): SessionHead => ({
    snapshot: {
      seq,
      tiles: { 'code-1': { kind: 'code', frame: { x: 0, y: 0, w: 100, h: 100, z: 0 }, state: { language: 'python', source: 'print(1)' } } },
      canvas: {},
    },
    chat: [],
    viewerCount,
    hostConnections: ['host-1'],
    ended: false,
  });
  const connectionsTable: ConnectionsTable = {
    put: async (item) => void connections.set(item.connectionId, item),
    get: async (id) => connections.get(id),
    delete: async (id) => {
      const item = connections.get(id);
      connections.delete(id);
      return item;
    },
    listBySession: async (sessionId) => [...connections.values()].filter((c) => c.sessionId === sessionId),
    consumeRateLimit: async () => !options.rateLimited,
    consumeSessionRateLimit: async () => true,
  };
  const states = {
    getHead: async () => head(),
    publish: async () => {
      if (options.publishFails) throw new Error('ProvisionedThroughputExceededException');
      return { ok: true as const, seq: ++seq };
    },
    addChat: async () => ++seq,
    markEnded: async () => ++seq,
    appendLog: async () => undefined,
    readLog: async () => [],
    readLogPage: async () => ({ entries: [], more: false }),
    updatePresence: async (_sessionId: string, change: { viewerDelta: number } | { hostJoined: string } | { hostLeft: string }) => {
      if ('viewerDelta' in change) viewerCount += change.viewerDelta;
      return { viewerCount, hostConnections: ['host-1'] };
    },
  } satisfies SessionStatesTable;
  const runResult: RunResult = { status: 'ok', exitCode: 0, stdout: '1\n', stderr: '', durationMs: 40, truncated: false };

  const observability = createObservability('realtime');
  const deps: RealtimeDeps = {
    connections: connectionsTable,
    states,
    sessions: {} as SessionsTable,
    boards: {} as BoardsTable,
    posterFor: () => poster,
    // Every reading of the clock advances it, so measured durations are positive.
    now: () => (clock += 5),
    newId: () => 'id',
    log: observability.log,
    metrics: observability.metrics,
    runCode: async () => runResult,
  };
  const handler = observability.instrument(createRealtimeHandler(() => deps));

  const event = (routeKey: string, connectionId: string, role: 'host' | 'viewer', body?: unknown): WebSocketEvent => ({
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId,
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      stage: 'prod',
      apiId: 'abc',
      requestId: 'r',
      connectedAt: clock,
      requestTimeEpoch: clock,
      identity: { sourceIp: '127.0.0.1' },
      authorizer: { sessionId: SESSION, role, userId: role === 'host' ? 'host-user' : '' },
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  });
  const connect = async (connectionId: string, role: 'host' | 'viewer') => handler(event('$connect', connectionId, role));
  const send = async (connectionId: string, role: 'host' | 'viewer', body: unknown) => handler(event(body === undefined ? '$default' : 'message', connectionId, role, body));
  const disconnect = async (connectionId: string, role: 'host' | 'viewer') => handler(event('$disconnect', connectionId, role));
  return { connect, send, disconnect, sent };
}

const metricsNamed = (name: string) => metricsIn(output.emf()).filter((m) => m.name === name);

describe('the realtime function emits', () => {
  it('ActiveViewers from every presence change: joins and leaves', async () => {
    const room = harness();
    await room.connect('host-1', 'host');
    await room.connect('viewer-1', 'viewer');
    await room.connect('viewer-2', 'viewer');
    await room.disconnect('viewer-1', 'viewer');
    expect(metricsNamed('ActiveViewers').map((m) => [m.value, m.dimensions, m.namespace])).toEqual([
      [1, { service: 'realtime' }, 'StreamCanvas'],
      [2, { service: 'realtime' }, 'StreamCanvas'],
      [1, { service: 'realtime' }, 'StreamCanvas'],
    ]);
  });

  it('Publishes, FanOutViewers and FanOutDuration for an accepted publishState', async () => {
    const room = harness();
    await room.connect('host-1', 'host');
    await room.connect('viewer-1', 'viewer');
    await room.connect('viewer-2', 'viewer');
    output.restore();
    output = captureOutput();
    await room.send('host-1', 'host', {
      v: 1,
      action: 'publishState',
      clientSeq: 1,
      patches: [{ type: 'canvas.set', set: { live: true } }],
    });
    expect(metricsNamed('Publishes').map((m) => m.value)).toEqual([1]);
    // Posted to both viewers, not back to the publishing host.
    expect(metricsNamed('FanOutViewers').map((m) => m.value)).toEqual([2]);
    const [duration] = metricsNamed('FanOutDuration');
    expect(duration).toMatchObject({ unit: 'Milliseconds', dimensions: { service: 'realtime' } });
    expect(duration!.value).toBeGreaterThan(0);
    expect(room.sent.map((s) => JSON.parse(s.data).type)).toContain('ack');
  });

  it('RejectedMessages by reason for every error sent to a client', async () => {
    const room = harness();
    await room.connect('host-1', 'host');
    await room.connect('viewer-1', 'viewer');
    await room.send('viewer-1', 'viewer', { v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'canvas.set', set: { live: true } }] });
    await room.send('viewer-1', 'viewer', 'not json');
    await room.send('viewer-1', 'viewer', { v: 1, action: 'signal', to: 'someone', data: { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } });
    expect(metricsNamed('RejectedMessages').map((m) => [m.dimensions, m.dimensionSets, m.value])).toEqual([
      [{ service: 'realtime', reason: 'forbidden' }, [['service', 'reason']], 1],
      [{ service: 'realtime', reason: 'bad_message' }, [['service', 'reason']], 1],
      [{ service: 'realtime', reason: 'forbidden' }, [['service', 'reason']], 1],
    ]);
  });

  it('RejectedMessages rate_limited when a per-connection limit refuses a message', async () => {
    const room = harness({ rateLimited: true });
    await room.connect('viewer-1', 'viewer');
    await room.send('viewer-1', 'viewer', { v: 1, action: 'chat', name: 'Ann', text: 'hi' });
    expect(metricsNamed('RejectedMessages').map((m) => m.dimensions.reason)).toEqual(['rate_limited']);
  });

  it('CodeRuns and CodeRunDuration by language and status for a run', async () => {
    const room = harness();
    await room.connect('host-1', 'host');
    await room.send('host-1', 'host', { v: 1, action: 'runCode', tileId: 'code-1' });
    expect(metricsNamed('CodeRuns').map((m) => [m.dimensions, m.dimensionSets, m.value])).toEqual([
      [
        { service: 'realtime', language: 'python', status: 'ok' },
        [
          ['service', 'language'],
          ['service', 'status'],
        ],
        1,
      ],
    ]);
    const [duration] = metricsNamed('CodeRunDuration');
    expect(duration).toMatchObject({ unit: 'Milliseconds', dimensions: { service: 'realtime', language: 'python' } });
    expect(duration!.value).toBeGreaterThan(0);
  });

  it('a structured ERROR log and RejectedMessages internal when an action fails', async () => {
    const room = harness({ publishFails: true });
    await room.connect('host-1', 'host');
    await room.send('host-1', 'host', { v: 1, action: 'publishState', clientSeq: 7, patches: [{ type: 'canvas.set', set: { live: true } }] });
    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'realtime action failed',
        service: 'realtime',
        routeKey: 'message',
        error: 'Error: ProvisionedThroughputExceededException',
      }),
    ]);
    expect(metricsNamed('RejectedMessages').map((m) => m.dimensions.reason)).toEqual(['internal']);
    expect(metricsNamed('Publishes')).toEqual([]);
  });

  it('nothing but the expected lines: every line it prints is JSON', async () => {
    const room = harness();
    await room.connect('host-1', 'host');
    await room.connect('viewer-1', 'viewer');
    await room.send('host-1', 'host', { v: 1, action: 'ping', clientTime: 1 });
    expect(() => output.json()).not.toThrow();
  });
});

describe('the deployed realtime handler', () => {
  it('logs through Powertools: a failing $connect is one structured ERROR line', async () => {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CONNECTIONS_TABLE: 'Connections',
      SESSION_STATES_TABLE: 'SessionStates',
      SESSIONS_TABLE: 'Sessions',
      BOARDS_TABLE: 'Boards',
    });
    const { handler } = await import('../../amplify/functions/realtime/handler.js');
    const result = await handler({
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        connectionId: 'c-1',
        domainName: 'abc.execute-api.us-east-1.amazonaws.com',
        stage: 'prod',
        apiId: 'abc',
        requestId: 'r',
        connectedAt: 0,
        requestTimeEpoch: 0,
        identity: { sourceIp: '127.0.0.1' },
        authorizer: { sessionId: SESSION, role: 'viewer', userId: '' },
      },
      isBase64Encoded: false,
    });
    expect(result.statusCode).toBe(500);
    expect(output.logs()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'realtime action failed', service: 'realtime', routeKey: '$connect' }),
    ]);
  });
});
