import { languageLabels, type Language } from '../../src/protocol/code.js';

/**
 * How each language is compiled and run, as data (plus the Java class-name rule):
 * runCode turns an entry into a SandboxJob. Commands use bare program names,
 * which the sandbox resolves on its own PATH (the same names work in the
 * bubblewrap sandbox and in the Lambda image).
 */

const MiB = 1024 * 1024;

/** The memory a program may use: heap for managed runtimes, data segment for native code. */
export const PROGRAM_MEMORY_BYTES = 256 * MiB;
/**
 * RLIMIT_DATA for managed runtimes: their heap limit is PROGRAM_MEMORY_BYTES
 * and the runtime itself (JIT, metaspace, thread stacks) needs room beyond it,
 * so that running out shows as the runtime's own out-of-memory error.
 */
const MANAGED_RUNTIME_DATA_BYTES = 640 * MiB;
/** Compilers get more: javac and cc1plus on heavy templates need it, and they are not user code. */
export const COMPILER_DATA_BYTES = 1024 * MiB;

export interface ProgramRequirement {
  /** Looked up on the sandbox PATH. */
  program: string;
  /** Shown when it is missing. */
  install: string;
}

export interface CommandSpec {
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** RLIMIT_DATA for this command; defaults to PROGRAM_MEMORY_BYTES for runs, COMPILER_DATA_BYTES for compiles. */
  dataBytes?: number;
}

export interface LanguageSpec {
  id: Language;
  label: string;
  /** The file the (prepared) source is written to in the work dir. */
  fileName: (source: string) => string;
  /**
   * Runs in the parent before anything is sandboxed, e.g. TypeScript to
   * JavaScript. Must never execute the source.
   */
  prepare?: 'transpile-typescript';
  compile?: (fileName: string) => CommandSpec;
  run: (fileName: string) => CommandSpec;
  requires: readonly ProgramRequirement[];
  /** Recognizes the runtime's own out-of-memory report on stderr. */
  outOfMemory: RegExp;
}

const nodeRun = (fileName: string): CommandSpec => ({
  // The heap limit makes V8 fail with its own message instead of a failed mmap.
  argv: ['node', `--max-old-space-size=${PROGRAM_MEMORY_BYTES / MiB}`, fileName],
  dataBytes: MANAGED_RUNTIME_DATA_BYTES,
});
const nodeOutOfMemory = /JavaScript heap out of memory|Reached heap limit|Array buffer allocation failed|Fatal process out of memory/;
const installNode = 'JavaScript and TypeScript need Node.js (`apt-get install nodejs`).';

/**
 * Start-up caches built from fixed inputs (tool-cache.ts), read-only at this
 * path in every sandbox. Compilers ignore a missing cache, so they are an
 * optimization only.
 */
export const TOOL_CACHE_DIR = '/opt/streamcanvas-executor-cache';
/** Class-data-sharing archive of the classes javac loads. */
export const JAVAC_ARCHIVE = `${TOOL_CACHE_DIR}/javac.jsa`;
/** Precompiled headers; g++ uses one only when it is the first #include and the flags match. */
export const GCC_PCH_DIR = `${TOOL_CACHE_DIR}/gcc-pch`;
export const PRECOMPILED_HEADERS = ['bits/stdc++.h', 'iostream'] as const;

/** JVM flags for a quick start: one GC thread, no perf-data file in /tmp. */
const jvmStartupFlags = ['-XX:+UseSerialGC', '-XX:-UsePerfData', '-XX:ReservedCodeCacheSize=32m'];
/** javac's JVM: C1 only (it is short-lived); the CDS archive must be built with these same flags. */
export const JAVAC_JVM_FLAGS = [...jvmStartupFlags, '-XX:TieredStopAtLevel=1', '-Xmx512m'];
/** No annotation processing: nothing to discover, and it saves a classpath scan. */
export const JAVAC_FLAGS = ['-proc:none', '-encoding', 'UTF-8'];
/**
 * -O1: most of -O2's speed for far less compile time on short programs;
 * gnu++17 is g++ 12's default and compiles faster than gnu++20. The
 * precompiled headers are built with exactly these flags.
 */
export const CPP_FLAGS = ['-std=gnu++17', '-O1', '-pipe'];

/**
 * The class to compile and run: the public top-level class (Java requires it
 * to live in <Name>.java), else the class that declares main, else Main.
 * Names with `$` are left to javac to complain about: they make poor file names.
 */
export function javaMainClass(source: string): string {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const publicClass = /\bpublic\s+(?:(?:final|abstract|strictfp)\s+)*class\s+([A-Za-z_]\w*)\b(?!\$)/.exec(code);
  if (publicClass) return publicClass[1]!;
  const main = /\bstatic\s+(?:final\s+)?void\s+main\s*\(/.exec(code);
  if (main) {
    const classesBefore = [...code.slice(0, main.index).matchAll(/\bclass\s+([A-Za-z_]\w*)\b(?!\$)/g)];
    const enclosing = classesBefore.at(-1)?.[1];
    if (enclosing) return enclosing;
  }
  return 'Main';
}

export const languageRegistry: Readonly<Record<Language, LanguageSpec>> = {
  python: {
    id: 'python',
    label: languageLabels.python,
    fileName: () => 'main.py',
    // -u: output written before a timeout or crash is not lost in a buffer.
    run: (file) => ({ argv: ['python3', '-u', file] }),
    requires: [{ program: 'python3', install: 'Python needs python3 (`apt-get install python3`).' }],
    outOfMemory: /\bMemoryError\b/,
  },
  javascript: {
    id: 'javascript',
    label: languageLabels.javascript,
    fileName: () => 'main.js',
    run: nodeRun,
    requires: [{ program: 'node', install: installNode }],
    outOfMemory: nodeOutOfMemory,
  },
  typescript: {
    id: 'typescript',
    label: languageLabels.typescript,
    // The sandbox receives the transpiled JavaScript; ESM so `import`/top-level await work.
    fileName: () => 'main.mjs',
    prepare: 'transpile-typescript',
    run: nodeRun,
    requires: [{ program: 'node', install: installNode }],
    outOfMemory: nodeOutOfMemory,
  },
  java: {
    id: 'java',
    label: languageLabels.java,
    fileName: (source) => `${javaMainClass(source)}.java`,
    compile: (file) => ({
      argv: ['javac', ...JAVAC_JVM_FLAGS.map((flag) => `-J${flag}`), `-J-XX:SharedArchiveFile=${JAVAC_ARCHIVE}`,
        ...JAVAC_FLAGS, '-d', '.', file],
    }),
    run: (file) => ({
      argv: ['java', ...jvmStartupFlags, '-Xms16m', `-Xmx${PROGRAM_MEMORY_BYTES / MiB}m`, '-cp', '.', file.replace(/\.java$/, '')],
      dataBytes: MANAGED_RUNTIME_DATA_BYTES,
    }),
    requires: [
      { program: 'javac', install: 'Java needs a JDK 17 (`apt-get install openjdk-17-jdk-headless`).' },
      { program: 'java', install: 'Java needs a JDK 17 (`apt-get install openjdk-17-jdk-headless`).' },
    ],
    outOfMemory: /java\.lang\.OutOfMemoryError/,
  },
  cpp: {
    id: 'cpp',
    label: languageLabels.cpp,
    fileName: () => 'main.cpp',
    compile: (file) => ({ argv: ['g++', ...CPP_FLAGS, `-I${GCC_PCH_DIR}`, '-o', 'main', file] }),
    run: () => ({ argv: ['./main'] }),
    requires: [{ program: 'g++', install: 'C++ needs g++ (`apt-get install g++`).' }],
    outOfMemory: /std::bad_alloc/,
  },
  csharp: {
    id: 'csharp',
    label: languageLabels.csharp,
    fileName: () => 'main.cs',
    compile: (file) => ({ argv: ['mcs', '-out:main.exe', file] }),
    run: () => ({
      argv: ['mono', 'main.exe'],
      env: { MONO_GC_PARAMS: `max-heap-size=${PROGRAM_MEMORY_BYTES / MiB}m` },
      dataBytes: MANAGED_RUNTIME_DATA_BYTES,
    }),
    requires: [
      { program: 'mcs', install: 'C# needs the Debian packages mono-mcs and mono-runtime (`apt-get install --no-install-recommends mono-mcs mono-runtime`).' },
      { program: 'mono', install: 'C# needs the Debian packages mono-mcs and mono-runtime (`apt-get install --no-install-recommends mono-mcs mono-runtime`).' },
    ],
    outOfMemory: /System\.OutOfMemoryException|Out of memory|could not allocate/i,
  },
};

export function languageSpec(language: Language): LanguageSpec {
  return languageRegistry[language];
}
