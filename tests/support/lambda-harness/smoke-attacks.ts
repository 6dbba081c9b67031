import { runResultSchema } from '../../../src/protocol/code.js';
import { attackProblems, lambdaAttacks } from './attacks.js';

/**
 * The Lambda-like attacks against the real executor image, run by the
 * executor-image workflow under the runtime interface emulator:
 *
 *   npx tsx tests/support/lambda-harness/smoke-attacks.ts http://localhost:9000 <credential>...
 *
 * Inside the container the Runtime API is 127.0.0.1:9001 and the emulator's
 * own invoke endpoint 127.0.0.1:8080 (the "other" loopback service). The
 * emulator is pid 1 and keeps the credentials docker gave it in its own
 * environment, so the /proc scan leaves it out: in Lambda, init is not part of
 * the image. Exits non-zero on any problem, or when a credential appears.
 */

const [endpoint, ...credentials] = process.argv.slice(2);
if (!endpoint || credentials.length === 0) {
  console.error('Usage: smoke-attacks.ts <invoke endpoint, e.g. http://localhost:9000> <credential value>...');
  process.exit(2);
}

const problems: string[] = [];
for (const program of lambdaAttacks({ runtimeApiPort: 9001, otherPort: 8080, taskRoot: '/var/task', skipPids: [1] })) {
  const response = await fetch(`${endpoint}/2015-03-31/functions/function/invocations`, {
    method: 'POST',
    body: JSON.stringify({ language: program.language, source: program.source, stdin: '' }),
  });
  const body = await response.text();
  console.log(`${program.name}: ${body}`);
  for (const value of credentials) if (body.includes(value)) problems.push(`${program.name}: a credential appears in the answer`);
  const parsed = runResultSchema.safeParse(JSON.parse(body));
  if (!parsed.success) problems.push(`${program.name}: not a RunResult: ${body}`);
  else problems.push(...attackProblems(program, parsed.data));
}
if (problems.length > 0) {
  console.error(`Containment failed:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Every attack failed, and no credential appeared.');
