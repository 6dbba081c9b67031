import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPorts, startLocalStack, type LocalStack, type LocalStackPorts } from '../../local/stack.js';
import type { WebMode } from '../../local/web-server.js';
import { RoomClient } from './room-client.js';

/** Starts the real local stack on free ports with a throwaway data folder. */
export async function startTestStack(
  options: {
    web?: WebMode;
    dataDir?: string;
    webSocketIdleTimeoutMs?: number;
    ports?: LocalStackPorts;
    realtimeInOwnProcess?: boolean;
    /** false: no Event API, every message goes over @connections (see local/stack.ts). */
    eventApi?: boolean;
  } = {},
) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'streamcanvas-test-'));
  // Handlers log JSON for CloudWatch; in test output only warnings and errors help.
  process.env.LOG_LEVEL ??= 'WARN';
  const codes = new Map<string, string>();
  const ports = options.ports ?? (await freeStackPorts());
  const stack = await startLocalStack({
    dataDir,
    ports,
    web: options.web ?? { kind: 'none' },
    onCode: ({ username, code }) => codes.set(username, code),
    log: () => undefined,
    webSocketIdleTimeoutMs: options.webSocketIdleTimeoutMs,
    realtimeInOwnProcess: options.realtimeInOwnProcess,
    eventApi: options.eventApi,
  });
  // Raw test clients of this stack subscribe to its Event API, as the browser does.
  if (stack.eventApiUrl) RoomClient.eventApis.set(stack.webSocketUrl, stack.eventApiUrl);
  return {
    stack,
    dataDir,
    ports,
    /** Signs a new confirmed user up and returns their access token. */
    createUser: (email: string, password = 'Sup3r-secret!') => createUser(stack, codes, email, password),
    signIn: (email: string, password = 'Sup3r-secret!') => signIn(stack, email, password),
    async stop(removeData = true) {
      RoomClient.eventApis.delete(stack.webSocketUrl);
      await stack.stop();
      if (removeData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** A free port for every service of the local stack. */
export async function freeStackPorts(): Promise<LocalStackPorts> {
  const names = Object.keys(defaultPorts) as Array<keyof LocalStackPorts>;
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]!])) as unknown as LocalStackPorts;
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface TestUser {
  email: string;
  userId: string;
  accessToken: string;
  idToken: string;
}

async function cognitoCall(stack: LocalStack, action: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(stack.cognito.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${action} failed: ${JSON.stringify(json)}`);
  return json;
}

async function createUser(stack: LocalStack, codes: Map<string, string>, email: string, password: string): Promise<TestUser> {
  const clientId = stack.cognito.userPoolClientId;
  const signUp = await cognitoCall(stack, 'SignUp', {
    ClientId: clientId,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  const code = codes.get(email);
  if (!code) throw new Error(`no confirmation code was delivered for ${email}`);
  await cognitoCall(stack, 'ConfirmSignUp', { ClientId: clientId, Username: email, ConfirmationCode: code });
  return { ...(await signIn(stack, email, password)), userId: String(signUp.UserSub) };
}

async function signIn(stack: LocalStack, email: string, password: string): Promise<TestUser> {
  const auth = await cognitoCall(stack, 'InitiateAuth', {
    ClientId: stack.cognito.userPoolClientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  const result = auth.AuthenticationResult as { AccessToken: string; IdToken: string };
  const sub = JSON.parse(Buffer.from(result.AccessToken.split('.')[1]!, 'base64url').toString()) as { sub: string };
  return { email, userId: sub.sub, accessToken: result.AccessToken, idToken: result.IdToken };
}

/** Creates a session through the real HTTP API and returns its id. */
export async function createSession(stack: LocalStack, token: string, title = 'Test session'): Promise<string> {
  const response = await fetch(`${stack.httpApiUrl}/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (response.status !== 201) throw new Error(`create session answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { sessionId: string }).sessionId;
}
