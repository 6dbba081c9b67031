/**
 * The event API Gateway's WebSocket API gives its Lambda integration (the fields we use).
 * `authorizer` carries the REQUEST authorizer's context on every route of the connection.
 */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    domainName: string;
    stage: string;
    apiId: string;
    requestId: string;
    messageId?: string;
    connectedAt: number;
    requestTimeEpoch: number;
    identity: { sourceIp: string; userAgent?: string };
    authorizer?: Record<string, unknown>;
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  body?: string;
  isBase64Encoded: boolean;
  queryStringParameters?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}
