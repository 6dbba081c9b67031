import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { build } from 'vite';
import { startTestStack, type TestStack } from '../tests/support/local-stack.js';
import { benchExecutor } from './executor.js';
import { benchReplay, formatReplay } from './replay.js';
import { benchRealtime, defaultAudiences, transports, type Transport } from './realtime.js';
import { benchViewer } from './viewer.js';
import { benchMedia } from './media.js';
import { runSfuLoad } from '../tests/support/sfu-load.js';
import { benchSlides } from './slides.js';
import { benchWhiteboard } from './whiteboard.js';

/**
 * `npm run bench [-- section ...]`: measures on the local stack, prints the figures and
 * writes them to bench/results/latest.json. Speed targets live here, never in tests.
 */
const sections: Record<string, (stack: () => Promise<TestStack>) => Promise<unknown>> = {
  realtime: async (stack) => benchRealtime(await stack(), audiencesFromEnv(), 60, transportsFromEnv()),
  executor: () => benchExecutor(),
  viewer: async (stack) => benchViewer(await stack()),
  media: async (stack) => benchMedia(await stack()),
  // The 2-minute soak of the SFU (the bounded 30 s version is in npm test).
  'sfu-load': async (stack) =>
    runSfuLoad(await stack(), { subscribers: 25, seconds: 120, sampleEverySeconds: 10, onSample: (s) => console.log(`   ${JSON.stringify(s)}`) }),
  slides: async (stack) => benchSlides(await stack()),
  whiteboard: async (stack) => benchWhiteboard(await stack()),
  replay: async (stack) => benchReplay(await stack()),
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
      '   viewers   p50 ms   p95 ms   floor p50   floor p95   ratio p50/p95   fn CPU ms/publish (user + sys)   DynamoDB requests/publish (bytes sent/received)',
      ...rows.map((r) =>
        'error' in r
          ? `   ${String(r.viewers).padStart(7)}   failed: ${r.error}`
          : `   ${String(r.viewers).padStart(7)} ${r.latencyMs.p50.toFixed(1).padStart(8)} ${r.latencyMs.p95.toFixed(1).padStart(8)} ${r.floorMs.p50
            .toFixed(1)
            .padStart(11)} ${r.floorMs.p95.toFixed(1).padStart(11)} ${`${r.ratio.p50} / ${r.ratio.p95}`.padStart(15)} ${`${r.functionCpuMsPerPublish.toFixed(2)} (${r.functionCpuSplitMsPerPublish.user} + ${r.functionCpuSplitMsPerPublish.system})`.padStart(31)}   ${r.dynamoRequestsPerPublish} (${Object.entries(r.dynamoRequestsByOperation)
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
    const { initialJs, joinToFirstTileMs, floorMs, ratio } = value as Awaited<ReturnType<typeof benchViewer>>;
    const row = (label: string, p: (typeof joinToFirstTileMs)['cold']) =>
      `   ${label.padEnd(34)} ${p.p50.toFixed(1).padStart(8)} ${p.p95.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}   (${p.runs} runs)`;
    return [
      `   viewer route initial JS: ${initialJs.gzipKB.toFixed(1)} KB gzip (budget ${initialJs.budgetKB} KB; ${initialJs.chunks.length} chunks)`,
      '   join to first tile                  p50 ms   p95 ms   max ms',
      row('cold (new browser context)', joinToFirstTileMs.cold),
      row('floor, cold (raw ws + sync page)', floorMs.cold),
      row('warm (reload, HTTP cache)', joinToFirstTileMs.warm),
      row('floor, warm', floorMs.warm),
      `   ratio app/floor: cold p50 ${ratio.cold.p50} / p95 ${ratio.cold.p95}; warm p50 ${ratio.warm.p50} / p95 ${ratio.warm.p95}`,
    ].join('\n');
  }
  if (name === 'media') {
    const rows = value as Awaited<ReturnType<typeof benchMedia>>;
    return [
      '   join to first video frame (subscribe -> first frame shown); floor: plain loopback WebRTC between pages, same run',
      '   provider viewers   p50 ms   p95 ms   floor p50   floor p95   ratio p50/p95   host upload kbit/s   without video',
      ...rows.map(
        (r) =>
          `   ${r.provider.padEnd(8)} ${String(r.viewers).padStart(7)} ${r.joinToFirstFrameMs.p50.toFixed(0).padStart(8)} ${r.joinToFirstFrameMs.p95.toFixed(0).padStart(8)} ${r.floorMs.p50.toFixed(0).padStart(11)} ${r.floorMs.p95.toFixed(0).padStart(11)} ${`${r.ratio.p50} / ${r.ratio.p95}`.padStart(15)} ${String(r.hostUploadKbps).padStart(20)} ${String(r.joinToFirstFrameMs.failed).padStart(15)}`,
      ),
    ].join('\n');
  }
  if (name === 'sfu-load') {
    const r = value as Awaited<ReturnType<typeof runSfuLoad>>;
    return [
      `   1 publisher, ${r.subscribers} subscribers, ${r.seconds} s: ${r.connected} connected at the end, ${r.forwardedPackets} packets received, heap growth ${r.heapGrowthMB} MB after warm-up`,
      ...r.samples.map((s) => `   ${String(s.atSeconds).padStart(4)} s   heap ${String(s.heapUsedMB).padStart(4)} MB   rss ${String(s.rssMB).padStart(4)} MB   receiving ${s.receiving}`),
    ].join('\n');
  }
  if (name === 'slides') {
    const r = value as Awaited<ReturnType<typeof benchSlides>>;
    const p = (x: { p50: number; p95: number }) => `p50 ${x.p50.toFixed(0)} ms, p95 ${x.p95.toFixed(0)} ms`;
    return [
      `   conversion, ${r.conversion.slides}-slide PPTX (${r.conversion.runs} runs): sandboxed ${p(r.conversion.sandboxedMs)}; plain soffice ${p(r.conversion.plainMs)}; overhead ratio p50 ${r.conversion.overheadRatioP50}`,
      `   upload to ready (${r.uploadToReadyMs.runs} runs): PPTX 20 slides ${p(r.uploadToReadyMs.pptx20)}; PDF 20 pages ${p(r.uploadToReadyMs.pdf20)}`,
      `   page flip -> slide drawn on ${r.pageFlipMs.viewers} viewers (${r.pageFlipMs.flips} flips): ${p(r.pageFlipMs.latency)}; floor (bare patch to a ws client) ${p(r.pageFlipMs.floor)}; ratio ${r.pageFlipMs.ratio.p50} / ${r.pageFlipMs.ratio.p95}`,
      `   joining viewer, first slide drawn (${r.joinToFirstSlideMs.runs} runs): ${p(r.joinToFirstSlideMs.firstSlide)}; first tile on screen ${p(r.joinToFirstSlideMs.firstTile)}; ratio p50 ${r.joinToFirstSlideMs.ratioP50}`,
    ].join('\n');
  }
  if (name === 'whiteboard') {
    const r = value as Awaited<ReturnType<typeof benchWhiteboard>>;
    const p = (x: { p50: number; p95: number }) => `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms`;
    return [
      '   host stroke batch -> every viewer has it; floor: bare ws relay, same clients and frames, same run',
      '   viewers   p50 ms   p95 ms   floor p50   floor p95   ratio p50/p95',
      ...r.strokeToViewer.map(
        (row) =>
          `   ${String(row.viewers).padStart(7)} ${row.latencyMs.p50.toFixed(1).padStart(8)} ${row.latencyMs.p95.toFixed(1).padStart(8)} ${row.floorMs.p50
            .toFixed(1)
            .padStart(11)} ${row.floorMs.p95.toFixed(1).padStart(11)} ${`${row.ratio.p50} / ${row.ratio.p95}`.padStart(15)}`,
      ),
      '   host stroke batch -> drawn in a browser viewer (the others are protocol clients); floor: bare relay into the same page, same run',
      ...r.strokeToRender.map(
        (row) =>
          `   ${String(row.viewers).padStart(7)} ${row.latencyMs.p50.toFixed(1).padStart(8)} ${row.latencyMs.p95.toFixed(1).padStart(8)} ${row.floorMs.p50
            .toFixed(1)
            .padStart(11)} ${row.floorMs.p95.toFixed(1).padStart(11)} ${`${row.ratio.p50} / ${row.ratio.p95}`.padStart(15)}   (${row.runs} runs)`,
      ),
      `   join a 2,000-element board (${r.join2000.boardKB} KB, ${r.join2000.parts} parts): protocol ${p(r.join2000.protocolMs)}`,
      `     browser, navigation to board drawn: ${p(r.join2000.browserMs)} (${r.join2000.browserMs.runs} runs)`,
      `     floor, same page on an empty board: tile ready ${p(r.join2000.floor.emptyTileMs)}; then the same elements drawn from memory ${p(r.join2000.floor.drawnMs)}`,
      `     ratio p50 ${r.join2000.ratio.p50} / p95 ${r.join2000.ratio.p95}`,
      `   freehand for ${r.freehand.seconds} s: host sends ${(r.freehand.hostBytesPerSecond / 1024).toFixed(1)} KB/s in ${r.freehand.messagesPerSecond} messages/s; a viewer receives ${(r.freehand.viewerBytesPerSecond / 1024).toFixed(1)} KB/s`,
      `   whiteboard chunk (lazy, beyond the viewer's initial JS): ${r.chunk.gzipKB} KB gzip in ${r.chunk.files.length} files; viewer route initial JS ${r.chunk.viewerInitialGzipKB} KB gzip (budget ${r.chunk.viewerBudgetKB} KB)`,
    ].join('\n');
  }
  if (name === 'replay') return formatReplay(value as Awaited<ReturnType<typeof benchReplay>>);
  return JSON.stringify(value, null, 2);
}

function machineInfo() {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
