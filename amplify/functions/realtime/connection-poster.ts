import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { signedPoster } from '../shared/signed-post.js';

/** Sends to one WebSocket connection through API Gateway's @connections management API. */
export interface ConnectionPoster {
  /** 'gone' when API Gateway no longer knows the connection (HTTP 410). */
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
  close(connectionId: string): Promise<void>;
}

const posters = new Map<string, ConnectionPoster>();

/**
 * The management endpoint is the API's own URL: from the WebSocket event, or configured for
 * a function outside the WebSocket API. The SDK's standard AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI
 * overrides both (a custom domain, or a local gateway).
 */
export function managementEndpoint(domainNameOrUrl: string, stage?: string): string {
  if (process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI) return process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI;
  return stage === undefined ? domainNameOrUrl : `https://${domainNameOrUrl}/${stage}`;
}

/** One poster per endpoint for the life of the process: its connections stay warm between invocations. */
export function managementApiPoster(endpoint: string): ConnectionPoster {
  let existing = posters.get(endpoint);
  if (!existing) posters.set(endpoint, (existing = createPoster(endpoint)));
  return existing;
}

function createPoster(endpoint: string): ConnectionPoster {
  const api = new ApiGatewayManagementApiClient({ endpoint });
  const poster = signedPoster(endpoint);
  return {
    async post(connectionId, data) {
      // One retry for throttling or a transient server error, as the SDK would.
      for (let attempt = 1; ; attempt++) {
        const { status, errorType } = await poster.post(`/@connections/${encodeURIComponent(connectionId)}`, data);
        if (status >= 200 && status < 300) return 'sent';
        if (status === 410 || errorType === 'GoneException') return 'gone';
        if (attempt < 2 && (status === 429 || status >= 500)) {
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
          continue;
        }
        throw new Error(`PostToConnection answered ${status}${errorType ? ` ${errorType}` : ''}`);
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
