import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sweepProcesses } from '../../../amplify/executor/lambda-sandbox.js';

/**
 * The executor as AWS Lambda runs it, on this machine, without Docker:
 *
 * - a "task root" owned by root and read-only to the runtime (as /var/task and
 *   /opt are in the image), holding the real handler bundled with a Runtime
 *   API client (runtime.ts), the image's runtime-entrypoint.sh and
 *   nondumpable.so built from the same source the Dockerfile builds;
 * - a fake Runtime API on a loopback port, named by AWS_LAMBDA_RUNTIME_API;
 * - the runtime started through runtime-entrypoint.sh as an unprivileged uid
 *   (Lambda's sbx_user1051 is one), with fake AWS credentials in its
 *   environment, exactly as Lambda hands them over;
 * - the handler's real configuration: the Lambda sandbox with codeUser
 *   'self', scratch /tmp, wiping /tmp and /dev/shm.
 *
 * It needs root (to start the runtime as another uid) and a C compiler.
 */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** A uid nothing else on a test machine uses; Lambda's own is 993. */
export const RUNTIME_UID = 65529;

export interface FakeCredentials {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_SESSION_TOKEN: string;
}

export interface RuntimeApiRequest {
  method: string;
  url: string;
}

export interface LambdaHarness {
  credentials: FakeCredentials;
  /** The function's code and the entrypoint, read-only to the runtime, like /var/task. */
  taskRoot: string;
  /** Port of the fake Runtime API. */
  runtimeApiPort: number;
  /** Port of another loopback service that nothing should reach. */
  otherPort: number;
  /** Every request the Runtime API received, in order. */
  runtimeApiRequests: RuntimeApiRequest[];
  /** Connections to the other loopback service. */
  otherConnections(): number;
  /** Pid of the runtime process. */
  runtimePid(): number;
  /** Invokes the function; resolves with the response body exactly as the runtime posted it. */
  invoke(event: unknown): Promise<{ kind: 'response' | 'error'; body: string }>;
  /** What the runtime wrote to stdout and stderr (its logs). */
  logs(): string;
  stop(): Promise<void>;
}

/** Why the harness cannot run here, or null. */
export function harnessUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'the Lambda-like harness starts the runtime as another uid, which needs root';
  if (!existsSync('/usr/bin/gcc') && !existsSync('/usr/bin/cc')) return 'the Lambda-like harness builds nondumpable.so and needs a C compiler (Debian gcc, which g++ brings)';
  if (!existsSync('/usr/bin/python3')) return 'the Lambda sandbox\'s launcher needs /usr/bin/python3';
  return null;
}

export async function startLambdaHarness(options: { useEntrypoint?: boolean } = {}): Promise<LambdaHarness> {
  const taskRoot = mkdtempSync(join(tmpdir(), 'lambda-task-'));
  chmodSync(taskRoot, 0o755);
  await build({
    entryPoints: [join(repoRoot, 'tests/support/lambda-harness/runtime.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['esbuild'],
    outfile: join(taskRoot, 'index.mjs'),
    logLevel: 'error',
  });
  execFileSync(existsSync('/usr/bin/gcc') ? '/usr/bin/gcc' : '/usr/bin/cc', [
    '-shared', '-fPIC', '-O2', '-o', join(taskRoot, 'nondumpable.so'), join(repoRoot, 'amplify/executor/nondumpable.c'),
  ]);
  copyFileSync(join(repoRoot, 'amplify/executor/runtime-entrypoint.sh'), join(taskRoot, 'runtime-entrypoint.sh'));
  chmodSync(join(taskRoot, 'runtime-entrypoint.sh'), 0o755);
  chmodSync(join(taskRoot, 'index.mjs'), 0o644);

  const credentials: FakeCredentials = {
    AWS_ACCESS_KEY_ID: `ASIAFAKE${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: `fake-secret-${randomUUID()}`,
    AWS_SESSION_TOKEN: `fake-session-token-${randomUUID()}`,
  };

  // The fake Runtime API: GET next waits for an invocation; POST response/error answers it.
  const requests: RuntimeApiRequest[] = [];
  const queued: Array<{ id: string; body: string }> = [];
  const waiting: ServerResponse[] = [];
  const pending = new Map<string, (answer: { kind: 'response' | 'error'; body: string }) => void>();
  const deliver = (): void => {
    while (queued.length > 0 && waiting.length > 0) {
      const invocation = queued.shift()!;
      waiting.shift()!
        .writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': invocation.id,
          'lambda-runtime-deadline-ms': String(Date.now() + 20_000),
          'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:123456789012:function:executor',
        })
        .end(invocation.body);
    }
  };
  const api: Server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const answer = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(req.url ?? '');
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
        waiting.push(res);
        deliver();
      } else if (req.method === 'POST' && answer && pending.has(answer[1]!)) {
        pending.get(answer[1]!)!({ kind: answer[2] as 'response' | 'error', body });
        pending.delete(answer[1]!);
        res.writeHead(202).end('{"status":"OK"}');
      } else {
        res.writeHead(400).end('{"errorType":"InvalidRequest"}');
      }
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const runtimeApiPort = (api.address() as { port: number }).port;

  let otherConnections = 0;
  const other: TcpServer = createTcpServer((socket) => {
    otherConnections++;
    socket.end('other service\n');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherPort = (other.address() as { port: number }).port;

  const entrypoint = join(taskRoot, 'runtime-entrypoint.sh');
  const command = options.useEntrypoint === false ? ['/usr/bin/node', join(taskRoot, 'index.mjs')] : [entrypoint, '/usr/bin/node', join(taskRoot, 'index.mjs')];
  let output = '';
  const runtime: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd: taskRoot,
    uid: RUNTIME_UID,
    gid: RUNTIME_UID,
    stdio: ['ignore', 'pipe', 'pipe'],
    // What Lambda puts in a runtime's environment (credentials included).
    env: {
      PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: 'index.handler',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'streamcanvas-executor-harness',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimeApiPort}`,
      ...credentials,
    },
  });
  runtime.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  runtime.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => runtime.once('exit', () => resolve()));

  return {
    credentials,
    taskRoot,
    runtimeApiPort,
    otherPort,
    runtimeApiRequests: requests,
    otherConnections: () => otherConnections,
    runtimePid: () => runtime.pid!,
    invoke(event) {
      const id = randomUUID();
      const answer = new Promise<{ kind: 'response' | 'error'; body: string }>((resolve, reject) => {
        pending.set(id, resolve);
        void exited.then(() => reject(new Error(`The runtime exited during invocation ${id}. Its output:\n${output}`)));
      });
      queued.push({ id, body: JSON.stringify(event) });
      deliver();
      return answer;
    },
    logs: () => output,
    async stop() {
      runtime.kill('SIGKILL');
      await exited;
      for (const res of waiting) res.destroy();
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await new Promise<void>((resolve) => other.close(() => resolve()));
      // Whatever the runtime's user left (the sandbox should have left nothing): not for the next test run.
      await sweepProcesses(RUNTIME_UID, false);
      for (const dir of ['/tmp', '/dev/shm']) {
        for (const entry of readdirSync(dir)) {
          const path = join(dir, entry);
          if (lstatSync(path, { throwIfNoEntry: false })?.uid === RUNTIME_UID) execFileSync('rm', ['-rf', path]);
        }
      }
      rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}
