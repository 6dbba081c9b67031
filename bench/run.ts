import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { build } from 'vite';
import { startTestStack, type TestStack } from '../tests/support/local-stack.js';
import { benchExecutor } from './executor.js';
import { benchRealtime, defaultAudiences, transports, type Transport } from './realtime.js';
import { benchViewer } from './viewer.js';

/**
 * `npm run bench [-- section ...]`: measures on the local stack, prints the figures and
 * writes them to bench/results/latest.json. Speed targets live here, never in tests.
 */
const sections: Record<string, (stack: () => Promise<TestStack>) => Promise<unknown>> = {
  realtime: async (stack) => benchRealtime(await stack(), audiencesFromEnv(), 60, transportsFromEnv()),
  executor: () => benchExecutor(),
  viewer: async (stack) => benchViewer(await stack()),
};

/**
 * One local stack for every section, serving a fresh production build: the handlers keep
 * their SDK clients for the life of the process, as in Lambda, so a second stack on other
 * ports would leave them talking to the first.
 */
function sharedStack(): { get: () => Promise<TestStack>; stop: () => Promise<void> } {
  let started: Promise<TestStack> | undefined;
  return {
    get: () =>
      (started ??= (async () => {
        // Vite reads NODE_ENV; a production build must not get React's development bundles.
        process.env.NODE_ENV = 'production';
        await build({ configFile: 'vite.config.ts', mode: 'production', logLevel: 'warn' });
        // The realtime function runs in its own process, as in Lambda, so its CPU time can be read.
        return startTestStack({ web: { kind: 'static', dir: 'dist' }, realtimeInOwnProcess: true });
      })()),
    stop: async () => {
      if (started) await (await started).stop();
    },
  };
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !(name in sections));
  if (unknown.length) {
    console.error(`Unknown benchmark section: ${unknown.join(', ')}. Choose from: ${Object.keys(sections).join(', ')}.`);
    process.exit(2);
  }
  const results: Record<string, unknown> = { machine: machineInfo(), startedAt: new Date().toISOString() };
  const stack = sharedStack();
  try {
    for (const name of wanted.length ? wanted : Object.keys(sections)) {
      console.log(`\n== ${name}`);
      const started = performance.now();
      results[name] = await sections[name]!(stack.get);
      console.log(format(name, results[name]));
      console.log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await stack.stop();
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nWrote bench/results/latest.json');
}

/** `STREAMCANVAS_BENCH_AUDIENCES=1,50,500` measures only those audience sizes. */
function audiencesFromEnv(): number[] {
  const raw = process.env.STREAMCANVAS_BENCH_AUDIENCES;
  if (!raw) return defaultAudiences;
  const audiences = raw.split(',').map(Number);
  if (audiences.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`STREAMCANVAS_BENCH_AUDIENCES=${raw} is not a list of viewer counts. Use e.g. 1,50,500.`);
    process.exit(2);
  }
  return audiences;
}

/** `STREAMCANVAS_BENCH_TRANSPORTS=event-api` measures only that way to the audience. */
function transportsFromEnv(): Transport[] {
  const raw = process.env.STREAMCANVAS_BENCH_TRANSPORTS;
  if (!raw) return [...transports];
  const chosen = raw.split(',');
  if (chosen.some((t) => !(transports as readonly string[]).includes(t))) {
    console.error(`STREAMCANVAS_BENCH_TRANSPORTS=${raw}: choose from ${transports.join(', ')}.`);
    process.exit(2);
  }
  return chosen as Transport[];
}

function format(name: string, value: unknown): string {
  if (name === 'realtime') {
    return (value as Awaited<ReturnType<typeof benchRealtime>>)
      .map(({ transport, results: rows }) => [
      transport === 'event-api'
        ? '   through the Event API (one publish per message)'
        : '   PostToConnection to each viewer (the lean poster, as without an Event API)',
      '   publish -> every viewer; floor: bare ws relay, same clients and frames, same run',
      '   viewers   p50 ms   p95 ms   floor p50   floor p95   ratio p50/p95   fn CPU ms/publish   DynamoDB requests/publish (bytes sent/received)',
      ...rows.map((r) =>
        'error' in r
          ? `   ${String(r.viewers).padStart(7)}   failed: ${r.error}`
          : `   ${String(r.viewers).padStart(7)} ${r.latencyMs.p50.toFixed(1).padStart(8)} ${r.latencyMs.p95.toFixed(1).padStart(8)} ${r.floorMs.p50
            .toFixed(1)
            .padStart(11)} ${r.floorMs.p95.toFixed(1).padStart(11)} ${`${r.ratio.p50} / ${r.ratio.p95}`.padStart(15)} ${r.functionCpuMsPerPublish
            .toFixed(2)
            .padStart(19)}   ${r.dynamoRequestsPerPublish} (${Object.entries(r.dynamoRequestsByOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ')}; ${r.dynamoBytesPerPublish.sent} / ${r.dynamoBytesPerPublish.received} B)`,
      ),
    ].join('\n'))
      .join('\n\n');
  }
  if (name === 'executor') {
    const rows = Object.entries(value as Awaited<ReturnType<typeof benchExecutor>>);
    return ['   language      p50 ms   p95 ms   (hello world, compile + run, local sandbox)', ...rows.map(([language, r]) => `   ${language.padEnd(12)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}`)].join('\n');
  }
  if (name === 'viewer') {
    const { initialJs, joinToFirstTileMs } = value as Awaited<ReturnType<typeof benchViewer>>;
    const row = (label: string, p: (typeof joinToFirstTileMs)['cold']) =>
      `   ${label.padEnd(28)} ${p.p50.toFixed(1).padStart(8)} ${p.p95.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}   (${p.runs} runs)`;
    return [
      `   viewer route initial JS: ${initialJs.gzipKB.toFixed(1)} KB gzip (budget ${initialJs.budgetKB} KB; ${initialJs.chunks.length} chunks)`,
      '   join to first tile            p50 ms   p95 ms   max ms',
      row('cold (new browser context)', joinToFirstTileMs.cold),
      row('warm (reload, HTTP cache)', joinToFirstTileMs.warm),
    ].join('\n');
  }
  return JSON.stringify(value, null, 2);
}

function machineInfo() {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
