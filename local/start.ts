import { resolve } from 'node:path';
import { LocalStackError } from './listen.js';
import { defaultPorts, startLocalStack, type LocalStackPorts } from './stack.js';

/** `npm start`: StreamCanvas on the offline local stack. */

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LocalStackError(`${name}=${raw} is not a port number.`, `Set ${name} to a number from 1 to 65535, or unset it.`);
  }
  return port;
}

async function main() {
  const ports: LocalStackPorts = {
    web: portFromEnv('STREAMCANVAS_WEB_PORT', defaultPorts.web),
    httpApi: portFromEnv('STREAMCANVAS_HTTP_API_PORT', defaultPorts.httpApi),
    webSocket: portFromEnv('STREAMCANVAS_WEBSOCKET_PORT', defaultPorts.webSocket),
    cognito: portFromEnv('STREAMCANVAS_COGNITO_PORT', defaultPorts.cognito),
    dynamo: portFromEnv('STREAMCANVAS_DYNAMO_PORT', defaultPorts.dynamo),
    lambda: portFromEnv('STREAMCANVAS_LAMBDA_PORT', defaultPorts.lambda),
    s3: portFromEnv('STREAMCANVAS_S3_PORT', defaultPorts.s3),
    sfu: portFromEnv('STREAMCANVAS_SFU_PORT', defaultPorts.sfu),
    eventApi: portFromEnv('STREAMCANVAS_EVENT_API_PORT', defaultPorts.eventApi),
  };
  const dataDir = resolve(process.env.STREAMCANVAS_DATA_DIR ?? '.streamcanvas');
  const web = process.argv.includes('--static') ? { kind: 'static' as const, dir: 'dist' } : { kind: 'dev' as const };

  const stack = await startLocalStack({
    dataDir,
    ports,
    web,
    onCode: ({ kind, username, code }) => {
      const what = kind === 'forgotPassword' ? 'Password reset code' : 'Confirmation code';
      console.log(`\n  ✉  ${what} for ${username}: ${code}\n`);
    },
  });

  console.log(`
  StreamCanvas is running on the offline local stack.

    App        ${stack.webUrl}
    HTTP API   ${stack.httpApiUrl}
    WebSocket  ${stack.webSocketUrl}
    SFU        ${stack.sfuUrl}
    Event API  ${stack.eventApiHttpUrl}
    Data       ${dataDir}

  Emails are not sent locally: confirmation codes appear here.
  Press Ctrl-C to stop.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n  Stopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A person reads this: the message (with its resolution), not a stack trace.
  const detail = error instanceof Error && !process.env.STREAMCANVAS_DEBUG ? error.message : error;
  console.error('\n  Could not start StreamCanvas:', detail, '\n');
  process.exit(1);
});
