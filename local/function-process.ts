import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs one handler in a Node process of its own, as Lambda runs each function in its own
 * runtime, and answers invocations over IPC. Its CPU time is then the function's alone, which
 * is what the benchmark reports per publish; in-process, the stand-ins' work would be mixed in.
 */
export interface FunctionProcess<E, R> {
  invoke(event: E): Promise<R>;
  /** CPU time the process has used so far, in microseconds: in user space and in the kernel (system calls, its sockets). */
  cpuMicros(): Promise<{ user: number; system: number }>;
  close(): Promise<void>;
}

type Reply = { id: number; result?: unknown; error?: string; cpu?: { user: number; system: number } };

export async function startFunctionProcess<E, R>(options: {
  /** Absolute path of the handler's module. */
  module: string;
  exportName?: string;
  env: NodeJS.ProcessEnv;
}): Promise<FunctionProcess<E, R>> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./function-process-child.ts', import.meta.url)), [], {
    // STREAMCANVAS_FUNCTION_PROFILE_DIR=dir writes a CPU profile of the function there when it stops.
    execArgv: ['--import', 'tsx', ...(options.env.STREAMCANVAS_FUNCTION_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${options.env.STREAMCANVAS_FUNCTION_PROFILE_DIR}`] : [])],
    env: { ...options.env, STREAMCANVAS_FUNCTION_MODULE: options.module, STREAMCANVAS_FUNCTION_EXPORT: options.exportName ?? 'handler' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', (message) => ((message as { ready?: boolean }).ready ? resolve() : reject(new Error(String(message)))));
    child.once('exit', (code) => reject(new Error(`The function process for ${options.module} exited with ${code} before it was ready.`)));
  });
  child.on('message', (message) => {
    const reply = message as Reply;
    waiting.get(reply.id)?.resolve(reply);
    waiting.delete(reply.id);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`The function process for ${options.module} exited (${signal ?? code}).`);
    for (const { reject } of waiting.values()) reject(exited);
    waiting.clear();
  });
  await ready;

  const call = (message: Record<string, unknown>) =>
    new Promise<Reply>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ ...message, id });
    });

  return {
    async invoke(event) {
      const reply = await call({ kind: 'invoke', event });
      if (reply.error !== undefined) throw new Error(reply.error);
      return reply.result as R;
    },
    async cpuMicros() {
      return (await call({ kind: 'cpu' })).cpu ?? { user: 0, system: 0 };
    },
    async close() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      // Disconnecting lets it exit normally (and write its profile); a stuck one is killed.
      child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(kill);
    },
  };
}
