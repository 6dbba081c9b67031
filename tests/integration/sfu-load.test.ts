import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { runSfuLoad } from '../support/sfu-load.js';

/**
 * The bounded version of the SFU load test: 1 publisher, 25 subscribers, 30 s on loopback.
 * Nothing crashes, every subscriber keeps receiving, memory does not climb. The 2-minute run
 * with its memory curve is `npm run bench -- sfu-load`.
 */
let env: TestStack;
beforeAll(async () => {
  env = await startTestStack();
});
afterAll(async () => env?.stop());

it('forwards to 25 subscribers for 30 s without dropping any or growing the heap', { timeout: 180_000 }, async () => {
  const result = await runSfuLoad(env, { subscribers: 25, seconds: 30 });
  console.log(`SFU load: ${JSON.stringify(result.samples)}`);
  expect(result.subscribers).toBe(25);
  expect(result.connected).toBe(26);
  // After warm-up, every sample sees every subscriber receiving.
  for (const sample of result.samples.slice(1)) expect(sample.receiving, `at ${sample.atSeconds} s`).toBe(25);
  // A leak per packet would grow by tens of MB here (≈ 35 000 packets forwarded).
  expect(result.heapGrowthMB).toBeLessThan(40);
});
