import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, mkdtemp, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CPP_FLAGS,
  GCC_PCH_DIR,
  JAVAC_ARCHIVE,
  JAVAC_FLAGS,
  JAVAC_JVM_FLAGS,
  PRECOMPILED_HEADERS,
  TOOL_CACHE_DIR,
} from './languages.js';

/**
 * Start-up caches for the compilers, mounted read-only at TOOL_CACHE_DIR in
 * every sandbox (the Lambda image builds them into that path):
 * - javac.jsa, a class-data-sharing archive of what javac loads: about 80 ms
 *   off every Java compile;
 * - precompiled <bits/stdc++.h> and <iostream>: a C++ hello world compiles
 *   in half the time, a <bits/stdc++.h> program in a quarter.
 *
 * They are built from fixed inputs written here, never from user code, by
 * the same toolchains the sandbox runs, with the flags languages.ts uses.
 * Each file appears by an atomic rename after it was checked to work: a
 * truncated CDS archive would crash the JVM, while a missing one is ignored.
 */

export type ToolCacheReport = Record<string, string>;

const DEFAULT_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];
const BUILD_TIMEOUT_MS = 120_000;

/** Builds every artifact it can into `targetDir`. Never throws: the report says what failed. */
export async function buildToolCache(targetDir: string, path: readonly string[] = DEFAULT_PATH): Promise<ToolCacheReport> {
  const report: ToolCacheReport = {};
  const scratch = await mkdtemp(join(tmpdir(), 'executor-tool-cache-'));
  try {
    await mkdir(join(targetDir, relative(GCC_PCH_DIR), 'bits'), { recursive: true });
    const [javac, gxx] = await Promise.all([findProgram('javac', path), findProgram('g++', path)]);
    // In parallel: the <bits/stdc++.h> header alone takes seconds.
    const builds: Array<[string, Promise<string>]> = [
      ['javac.jsa', javac ? settle(buildJavacArchive(javac, targetDir, scratch, path)) : Promise.resolve('skipped: no javac')],
      ...PRECOMPILED_HEADERS.map((header): [string, Promise<string>] => [
        `${header}.gch`,
        gxx ? settle(buildPrecompiledHeader(gxx, header, targetDir, join(scratch, header.replace(/\W/g, '_')), path)) : Promise.resolve('skipped: no g++'),
      ]),
    ];
    for (const [artifact, outcome] of builds) report[artifact] = await outcome;
  } catch (error) {
    report.error = `failed: ${(error as Error).message}`;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return report;
}

const localCaches = new Map<string, Promise<string | null>>();

/**
 * The cache for this machine's toolchains, built on first use (a few seconds)
 * under `root`, in a directory named after the toolchain versions. Null when
 * `root` is not a private directory of ours: then runs just go without it.
 */
export function ensureLocalToolCache(root = join(tmpdir(), `streamcanvas-executor-cache-${process.getuid?.() ?? 0}`)): Promise<string | null> {
  let cache = localCaches.get(root);
  if (!cache) {
    cache = buildLocalToolCache(root);
    localCaches.set(root, cache);
  }
  return cache;
}

async function buildLocalToolCache(root: string): Promise<string | null> {
  await mkdir(root, { recursive: true, mode: 0o755 });
  // Others must not be able to plant archives or headers that our compilers would load.
  const rootStat = await lstat(root);
  if (!rootStat.isDirectory() || rootStat.uid !== process.getuid?.() || (rootStat.mode & 0o022) !== 0) return null;
  const dir = join(root, await toolchainFingerprint(DEFAULT_PATH));
  const marker = join(dir, '.complete');
  if (await exists(marker)) return dir;
  const report = await buildToolCache(dir);
  if (!Object.values(report).some((outcome) => outcome.startsWith('failed'))) {
    await writeFile(marker, `${JSON.stringify(report, null, 2)}\n`);
  }
  return dir;
}

/** Changes when javac, the JDK's class library or g++ change (a package upgrade). */
async function toolchainFingerprint(path: readonly string[]): Promise<string> {
  const files: string[] = [];
  const javac = await findProgram('javac', path);
  if (javac) {
    const real = await realpath(javac);
    files.push(real, join(dirname(dirname(real)), 'lib', 'modules'));
  }
  const gxx = await findProgram('g++', path);
  if (gxx) files.push(await realpath(gxx));
  const hash = createHash('sha256');
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    hash.update(`${file}:${info?.size}:${info?.mtimeMs}\n`);
  }
  hash.update(JSON.stringify([JAVAC_JVM_FLAGS, JAVAC_FLAGS, CPP_FLAGS, PRECOMPILED_HEADERS]));
  return hash.digest('hex').slice(0, 16);
}

async function buildJavacArchive(javac: string, targetDir: string, scratch: string, path: readonly string[]): Promise<string> {
  const source = join(scratch, 'Main.java');
  await writeFile(source, 'import java.util.*;\npublic class Main { public static void main(String[] a) { System.out.println(new ArrayList<>(List.of(a))); } }\n');
  const archive = join(targetDir, relative(JAVAC_ARCHIVE));
  const partial = `${archive}.${process.pid}.partial`;
  const jvm = JAVAC_JVM_FLAGS.map((flag) => `-J${flag}`);
  const compile = (extra: string[]) => runTool(javac, [...jvm, ...extra, ...JAVAC_FLAGS, '-d', scratch, source], scratch, path);

  const built = await compile([`-J-XX:ArchiveClassesAtExit=${partial}`]);
  if (built.code !== 0) return failed(partial, `javac exited ${built.code}: ${built.output}`);
  // -Xshare:on turns "archive unusable" into an error instead of a silent fallback.
  const checked = await compile([`-J-XX:SharedArchiveFile=${partial}`, '-J-Xshare:on']);
  if (checked.code !== 0) return failed(partial, `the archive does not load: ${checked.output}`);
  await rename(partial, archive);
  return 'built';
}

async function buildPrecompiledHeader(gxx: string, header: string, targetDir: string, scratch: string, path: readonly string[]): Promise<string> {
  await mkdir(scratch, { recursive: true });
  // Precompiled from a one-line wrapper rather than the header itself, which warns when compiled directly.
  const wrapper = join(scratch, 'wrapper.h');
  await writeFile(wrapper, `#include <${header}>\n`);
  const pchDir = join(targetDir, relative(GCC_PCH_DIR));
  const output = join(pchDir, `${header}.gch`);
  const partial = `${output}.${process.pid}.partial`;
  const built = await runTool(gxx, [...CPP_FLAGS, '-x', 'c++-header', wrapper, '-o', partial], scratch, path);
  if (built.code !== 0) return failed(partial, `g++ exited ${built.code}: ${built.output}`);
  await rename(partial, output);
  // -H lists headers as g++ opens them; "! file.gch" means the precompiled one was used.
  const probe = join(scratch, 'probe.cpp');
  await writeFile(probe, `#include <${header}>\nint main() {}\n`);
  const checked = await runTool(gxx, [...CPP_FLAGS, `-I${pchDir}`, '-H', '-fsyntax-only', probe], scratch, path);
  if (!checked.output.includes(`! ${output}`)) return failed(output, `g++ does not use it: ${checked.output.slice(0, 500)}`);
  return 'built';
}

/** Started together and awaited one by one, so none may reject. */
function settle(build: Promise<string>): Promise<string> {
  return build.catch((error: Error) => `failed: ${error.message}`);
}

async function failed(file: string, reason: string): Promise<string> {
  await rm(file, { force: true });
  return `failed: ${reason.trim().slice(0, 1000)}`;
}

/** A path inside TOOL_CACHE_DIR, relative to it. */
function relative(pathInCache: string): string {
  return pathInCache.slice(TOOL_CACHE_DIR.length + 1);
}

async function findProgram(name: string, path: readonly string[]): Promise<string | null> {
  for (const dir of path) {
    if (await exists(join(dir, name), constants.X_OK)) return join(dir, name);
  }
  return null;
}

async function exists(file: string, mode = constants.F_OK): Promise<boolean> {
  return access(file, mode).then(
    () => true,
    () => false,
  );
}

/** Runs a trusted toolchain on our own inputs, with a minimal environment. */
function runTool(program: string, args: string[], cwd: string, path: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd,
      env: { PATH: path.join(':'), HOME: cwd, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: BUILD_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}
