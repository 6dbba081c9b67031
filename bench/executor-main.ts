import { benchExecutor } from './executor.js';

/** `npx tsx bench/executor-main.ts`: hello-world latency per language in the local sandbox, as a table. */
const results = await benchExecutor();
console.log('language       p50 ms   p95 ms');
for (const [language, { p50, p95 }] of Object.entries(results)) {
  console.log(`${language.padEnd(12)} ${p50.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)}`);
}
