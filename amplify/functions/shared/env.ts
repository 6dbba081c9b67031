/**
 * The one place handlers read their configuration. Endpoints for local stand-ins come
 * from the SDK's standard AWS_ENDPOINT_URL_* variables, so no handler knows where it runs.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `Environment variable ${name} is not set. Resolution: define it on the function (amplify/backend.ts) or in the local stack (local/stack.ts).`,
    );
  }
  return value;
}

export function optionalEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}
