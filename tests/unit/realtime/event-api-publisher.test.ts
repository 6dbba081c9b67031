import { describe, expect, it } from 'vitest';
import { createPublisher } from '../../../amplify/functions/realtime/event-api-publisher';
import type { SignedPoster } from '../../../amplify/functions/shared/signed-post';

/** A poster answering the given responses in turn, recording each body it was asked to post. */
function poster(...answers: Array<{ status: number; body?: unknown; errorType?: string }>) {
  const bodies: unknown[] = [];
  const fake: SignedPoster = {
    async post(path, body) {
      expect(path).toBe('');
      bodies.push(JSON.parse(body));
      const answer = answers.shift() ?? { status: 200, body: { failed: [], successful: [] } };
      return { status: answer.status, body: Buffer.from(answer.body === undefined ? '' : JSON.stringify(answer.body)), ...(answer.errorType ? { errorType: answer.errorType } : {}) };
    },
    close: () => undefined,
  };
  return { fake, bodies };
}

describe('the Event API publisher', () => {
  it('posts the message as the one event of a publish to the channel', async () => {
    const { fake, bodies } = poster({ status: 200, body: { failed: [], successful: [{ identifier: 'x', index: 0 }] } });
    await createPublisher(fake).publish('/live/s', '{"type":"patch","seq":3}');
    expect(bodies).toEqual([{ channel: '/live/s', events: ['{"type":"patch","seq":3}'] }]);
  });

  it('retries once on throttling or a server error, then gives up with what the Event API said', async () => {
    const retried = poster({ status: 429, errorType: 'TooManyRequestsException' }, { status: 200, body: { failed: [] } });
    await createPublisher(retried.fake).publish('/live/s', '{}');
    expect(retried.bodies).toHaveLength(2);
    const failing = poster({ status: 503 }, { status: 500, body: { errors: [{ errorType: 'InternalFailure' }] } });
    await expect(createPublisher(failing.fake).publish('/live/s', '{}')).rejects.toThrow(/500.*InternalFailure/);
    expect(failing.bodies).toHaveLength(2);
  });

  it('does not retry what retrying cannot fix, and treats a failed event as a failure', async () => {
    const refused = poster({ status: 401, errorType: 'UnauthorizedException' });
    await expect(createPublisher(refused.fake).publish('/live/s', '{}')).rejects.toThrow(/401 UnauthorizedException/);
    expect(refused.bodies).toHaveLength(1);
    const failed = poster({ status: 200, body: { failed: [{ identifier: 'x', index: 0, code: 'x' }], successful: [] } });
    await expect(createPublisher(failed.fake).publish('/live/s', '{}')).rejects.toThrow(/did not take/);
  });
});
