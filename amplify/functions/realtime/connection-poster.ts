import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

/** Sends to one WebSocket connection through API Gateway's @connections management API. */
export interface ConnectionPoster {
  /** 'gone' when API Gateway no longer knows the connection (HTTP 410). */
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
  close(connectionId: string): Promise<void>;
}

const clients = new Map<string, ApiGatewayManagementApiClient>();

/**
 * The management endpoint is the API's own URL, from the event; the SDK's standard
 * AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI overrides it (a custom domain, or a local gateway).
 */
export function managementEndpoint(domainName: string, stage: string): string {
  return process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI || `https://${domainName}/${stage}`;
}

export function managementApiPoster(endpoint: string): ConnectionPoster {
  let client = clients.get(endpoint);
  if (!client) clients.set(endpoint, (client = new ApiGatewayManagementApiClient({ endpoint })));
  const api = client;
  return {
    async post(connectionId, data) {
      try {
        await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return 'sent';
      } catch (error) {
        if (error instanceof GoneException) return 'gone';
        throw error;
      }
    },
    async close(connectionId) {
      try {
        await api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!(error instanceof GoneException)) throw error;
      }
    },
  };
}

export interface FanOutResult {
  sent: number;
  gone: string[];
  failed: number;
}

/**
 * Posts one message to many connections with bounded parallelism, and waits for every
 * post: a Lambda drops unawaited work when it freezes. Failures never stop the others.
 */
export async function fanOut(
  poster: ConnectionPoster,
  connectionIds: readonly string[],
  data: string,
  concurrency = 64,
): Promise<FanOutResult> {
  const result: FanOutResult = { sent: 0, gone: [], failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < connectionIds.length) {
      const connectionId = connectionIds[next++]!;
      try {
        if ((await poster.post(connectionId, data)) === 'sent') result.sent++;
        else result.gone.push(connectionId);
      } catch {
        result.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, connectionIds.length) }, worker));
  return result;
}
