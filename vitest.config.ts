import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    // A synth of the whole backend takes minutes on a busy 2-core machine.
    hookTimeout: 300_000,
    // Synth and local-stack tests are heavy; two cores do not profit from more workers.
    maxWorkers: 2,
  },
});
