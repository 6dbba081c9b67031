import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FILES_BUCKET_ENV, objectStore, s3Client } from '../../amplify/storage/object-store.js';
import { createSession, startTestStack } from '../support/local-stack.js';

/** `npm start`'s promise: stop it, start it again, and accounts, sessions and canvases are still there. */
const dataDir = mkdtempSync(join(tmpdir(), 'streamcanvas-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps users, sessions and stored files across a restart of the local stack', async () => {
  const first = await startTestStack({ dataDir });
  const user = await first.createUser('persistent@example.com');
  const sessionId = await createSession(first.stack, user.accessToken, 'Survives restarts');
  const poolId = first.stack.cognito.userPoolId;
  const files = () => objectStore(s3Client(), process.env[FILES_BUCKET_ENV]!);
  await files().put('decks/persistent/deck.pdf', '%PDF-1.4', 'application/pdf');
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
    expect(new TextDecoder().decode(await files().get('decks/persistent/deck.pdf'))).toBe('%PDF-1.4');
  } finally {
    await second.stop();
  }
});
