import type { MediaSignal } from '../../../src/protocol/media.js';

/**
 * Passes a `signal` addressed to "sfu" on to the SFU, with who sent it as the authorizer
 * decided: the SFU trusts the role in this envelope, never anything the browser says about
 * itself. The SFU answers through the WebSocket API's @connections endpoint (`replyTo`).
 */
export interface SfuEnvelope {
  sessionId: string;
  connectionId: string;
  role: 'host' | 'viewer';
  data: MediaSignal;
  /** The @connections management endpoint the SFU posts its answers to. */
  replyTo: string;
}

export interface SfuRelay {
  relay(envelope: SfuEnvelope): Promise<void>;
}

/** The shared secret travels as a bearer token; the SFU refuses envelopes without it. */
export const SFU_SECRET_HEADER = 'authorization';

/** Environment of the realtime function: where its SFU listens, and the secret they share. */
export const sfuEnv = { url: 'SFU_SIGNAL_URL', secret: 'SFU_SIGNAL_SECRET' } as const;

export function httpSfuRelay(url: string, secret: string, fetchImpl: typeof fetch = fetch): SfuRelay {
  return {
    async relay(envelope) {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SFU_SECRET_HEADER]: `Bearer ${secret}` },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`The SFU answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    },
  };
}
