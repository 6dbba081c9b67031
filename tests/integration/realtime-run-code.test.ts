import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TileRun } from '../../src/protocol/code.js';
import type { Patch } from '../../src/protocol/realtime.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/** Running code through the room: host only, through the Lambda stand-in and the real sandbox, result broadcast. */
let env: TestStack;
let host: RoomClient;
let viewer: RoomClient;

beforeAll(async () => {
  env = await startTestStack();
  const user = await env.createUser('coder@example.com');
  const sessionId = await createSession(env.stack, user.accessToken);
  host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  viewer = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  const tiles: Patch[] = [
    { type: 'tile.add', tileId: 'py', kind: 'code', frame: { x: 0, y: 0, w: 800, h: 600, z: 1 }, state: { language: 'python', source: 'name = input()\nprint(f"hello {name}")\n' } },
    { type: 'tile.add', tileId: 'cpp', kind: 'code', frame: { x: 0, y: 0, w: 800, h: 600, z: 2 }, state: { language: 'cpp', source: 'int main() { return undefined_symbol; }' } },
    { type: 'tile.add', tileId: 'clock', kind: 'clock', frame: { x: 0, y: 0, w: 300, h: 200, z: 3 }, state: {} },
  ];
  await host.request({ v: 1, action: 'publishState', clientSeq: 1, patches: tiles }, 'ack');
});
afterAll(async () => {
  await Promise.all([host?.close(), viewer?.close()]);
  await env?.stop();
});

const runOf = (message: { patches: Patch[] }, tileId: string) => {
  const patch = message.patches.find((p) => p.type === 'tile.state' && p.tileId === tileId);
  return patch?.type === 'tile.state' ? (patch.set?.run as unknown as TileRun | undefined) : undefined;
};

it('runs the tile’s code with stdin and broadcasts running, then the result, to everyone', { timeout: 60_000 }, async () => {
  host.send({ v: 1, action: 'runCode', tileId: 'py', stdin: 'viewers' });
  const running = await viewer.waitFor('patch', (m) => runOf(m, 'py')?.status === 'running', 10_000);
  expect(runOf(running, 'py')).toMatchObject({ language: 'python' });
  const done = await viewer.waitFor('patch', (m) => !['running', undefined].includes(runOf(m, 'py')?.status), 30_000);
  const run = runOf(done, 'py')!;
  expect(run).toMatchObject({ status: 'ok', exitCode: 0, stdout: 'hello viewers\n' });
  // The host receives server-made patches too, and late joiners get the result from the snapshot.
  await host.waitFor('patch', (m) => runOf(m, 'py')?.status === 'ok');
  const snapshot = await viewer.request({ v: 1, action: 'sync' }, 'snapshot');
  expect((snapshot.snapshot.tiles.py?.state.run as unknown as TileRun).status).toBe('ok');
});

it('reports a compile error as such', { timeout: 60_000 }, async () => {
  host.send({ v: 1, action: 'runCode', tileId: 'cpp', stdin: '' });
  const done = await viewer.waitFor('patch', (m) => !['running', undefined].includes(runOf(m, 'cpp')?.status), 30_000);
  const run = runOf(done, 'cpp')!;
  expect(run).toMatchObject({ status: 'compile_error', compileOutput: expect.stringMatching(/undefined_symbol/) });
});

it('refuses viewers, unknown tiles and tiles that are not code', async () => {
  expect(await viewer.request({ v: 1, action: 'runCode', tileId: 'py' }, 'error')).toMatchObject({ code: 'forbidden' });
  expect(await host.request({ v: 1, action: 'runCode', tileId: 'nope' }, 'error')).toMatchObject({ code: 'unknown_tile' });
  expect(await host.request({ v: 1, action: 'runCode', tileId: 'clock' }, 'error')).toMatchObject({ code: 'bad_message' });
});
