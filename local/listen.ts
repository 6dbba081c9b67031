import type { Server } from 'node:http';

/** Listens on a port, turning "address in use" into a message that says how to fix it. */
export function listen(server: Server, port: number, host: string, what: string, envVar: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new LocalStackError(
            `Port ${port} (${what}) is already in use.`,
            `Stop the other process using it (is another \`npm start\` running?), or choose another port with ${envVar}=<port>.`,
          ),
        );
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** An error the local stack explains to a person: what happened and what to do. */
export class LocalStackError extends Error {
  constructor(
    message: string,
    readonly resolution: string,
  ) {
    super(`${message}\n  Resolution: ${resolution}`);
  }
}
