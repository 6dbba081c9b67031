import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { z } from 'zod';
import { managementApiPoster } from '../../amplify/functions/realtime/connection-poster.js';
import { SFU_SECRET_HEADER, type SfuEnvelope } from '../../amplify/functions/realtime/sfu-relay.js';
import { mediaSignalSchema, type MediaSignal } from '../../src/protocol/media.js';
import { PROTOCOL_VERSION } from '../../src/protocol/realtime.js';
import { closeServer, listen } from '../listen.js';
import { Sfu, SFU_PEER_ID, type SfuLimits } from './sfu.js';

/**
 * The SFU's signalling endpoint: `POST /signal` with an envelope the realtime function relays
 * (bearer secret shared with it). Answers 202 at once; the SFU's replies go to the browser
 * through the WebSocket API's @connections endpoint, as every other server message does.
 */
const envelopeSchema = z.strictObject({
  sessionId: z.string().min(1).max(64),
  connectionId: z.string().min(1).max(128),
  role: z.enum(['host', 'viewer']),
  data: mediaSignalSchema,
  replyTo: z.url({ protocol: /^https?$/ }),
});

/** Envelopes larger than this are refused before parsing (a signal is at most one 32 KB frame). */
const MAX_ENVELOPE_BYTES = 64 * 1024;

export interface LocalSfuOptions {
  host: string;
  port: number;
  secret: string;
  log: (line: string) => void;
  /** Extra ICE host addresses; loopback by default, so browsers on this machine (and in the e2e namespace) connect. */
  extraHostAddresses?: string[];
  limits?: Partial<SfuLimits>;
}

export async function startLocalSfu(options: LocalSfuOptions) {
  const sfu = new Sfu({
    extraHostAddresses: options.extraHostAddresses ?? ['127.0.0.1'],
    limits: options.limits,
    log: options.log,
    send: (replyTo, connectionId, data: MediaSignal) =>
      managementApiPoster(replyTo).post(connectionId, JSON.stringify({ type: 'signal', v: PROTOCOL_VERSION, from: SFU_PEER_ID, fromRole: 'sfu', data })),
  });
  const expected = Buffer.from(`Bearer ${options.secret}`);

  const server = createServer((request, response) => {
    const answer = (status: number, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message }));
    };
    if (request.method !== 'POST' || request.url !== '/signal') return answer(404, 'Not Found');
    const given = Buffer.from(request.headers[SFU_SECRET_HEADER] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(401, 'The SFU secret is missing or wrong.');
    readBody(request, MAX_ENVELOPE_BYTES).then(
      (body) => {
        let parsed;
        try {
          parsed = envelopeSchema.safeParse(JSON.parse(body));
        } catch {
          return answer(400, 'The envelope is not JSON.');
        }
        if (!parsed.success) return answer(400, `The envelope is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
        answer(202, 'Accepted');
        void sfu.handle(parsed.data as SfuEnvelope);
      },
      () => answer(413, 'The envelope is too large.'),
    );
  });
  const port = await listen(server, options.port, options.host, 'SFU', 'STREAMCANVAS_SFU_PORT');
  return {
    url: `http://${options.host}:${port}/signal`,
    secret: options.secret,
    sfu,
    async close() {
      await sfu.close();
      await closeServer(server);
    },
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        reject(new Error('too large'));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
