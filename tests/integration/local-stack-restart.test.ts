import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createSession, startTestStack } from '../support/local-stack.js';

/** `npm start`'s promise: stop it, start it again, and accounts, sessions and canvases are still there. */
const dataDir = mkdtempSync(join(tmpdir(), 'streamcanvas-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps users and sessions across a restart of the local stack', async () => {
  const first = await startTestStack({ dataDir });
  const user = await first.createUser('persistent@example.com');
  const sessionId = await createSession(first.stack, user.accessToken, 'Survives restarts');
  const poolId = first.stack.cognito.userPoolId;
  await first.stop();

  // The same ports, as a second `npm start` would use (handlers keep their clients for the process).
  const second = await startTestStack({ dataDir, ports: first.ports });
  try {
    expect(second.stack.cognito.userPoolId).toBe(poolId);
    const again = await second.signIn('persistent@example.com');
    expect(again.userId).toBe(user.userId);
    const response = await fetch(`${second.stack.httpApiUrl}/sessions`, { headers: { authorization: `Bearer ${again.accessToken}` } });
    const { sessions } = (await response.json()) as { sessions: Array<{ sessionId: string; title: string }> };
    expect(sessions).toEqual([expect.objectContaining({ sessionId, title: 'Survives restarts' })]);
  } finally {
    await second.stop();
  }
});
