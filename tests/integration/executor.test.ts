import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { languages, type Language, type RunRequestInput } from '../../src/protocol/code.js';
import { availableLanguages, runCode } from '../../amplify/executor/run-code.js';
import { ensureLocalToolCache } from '../../amplify/executor/tool-cache.js';
import { localRunCodeDeps } from '../../local/code-runner.js';

/**
 * Every language, for real, in the bubblewrap sandbox. A language is skipped
 * only when its toolchain is missing here (CI installs them all: bubblewrap,
 * mono-mcs, mono-runtime; the JDK, g++, python3 and node are on the runner).
 * With the compiler start-up caches, as a local stack runs it (the attack
 * tests run without them).
 */

const deps = await localRunCodeDeps();
const toolCacheDir = (await ensureLocalToolCache()) ?? undefined;
const availability = await availableLanguages(deps);
const missing = (language: Language) => !availability.find((entry) => entry.language === language)?.available;
const run = (language: Language, source: string, stdin?: string) =>
  runCode({ language, source, stdin } satisfies RunRequestInput, deps);

interface Programs {
  hello: string;
  echo: string;
  runtimeError: string;
  exitSeven: string;
  compileError?: string;
}

const programs: Record<Language, Programs> = {
  python: {
    hello: 'print("Hello, world!")',
    echo: 'import sys\nsys.stdout.write(sys.stdin.read())',
    runtimeError: 'raise ValueError("boom")',
    exitSeven: 'import sys\nsys.exit(7)',
  },
  javascript: {
    hello: 'console.log("Hello, world!")',
    echo: 'process.stdout.write(require("fs").readFileSync(0, "utf8"))',
    runtimeError: 'throw new Error("boom")',
    exitSeven: 'process.exit(7)',
  },
  typescript: {
    hello: 'const greeting: string = "Hello, world!";\nconsole.log(greeting);',
    echo: 'import { readFileSync } from "node:fs";\nconst input: string = readFileSync(0, "utf8");\nprocess.stdout.write(input);',
    runtimeError: 'function fail(message: string): never { throw new Error(message); }\nfail("boom");',
    exitSeven: 'const code: number = 7;\nprocess.exit(code);',
    compileError: 'const x: = 1;',
  },
  java: {
    hello: 'public class Main {\n  public static void main(String[] args) {\n    System.out.println("Hello, world!");\n  }\n}',
    echo: 'import java.io.*;\npublic class Main {\n  public static void main(String[] args) throws IOException {\n    System.out.print(new String(System.in.readAllBytes(), "UTF-8"));\n  }\n}',
    runtimeError: 'public class Main {\n  public static void main(String[] args) {\n    throw new IllegalStateException("boom");\n  }\n}',
    exitSeven: 'public class Main {\n  public static void main(String[] args) {\n    System.exit(7);\n  }\n}',
    compileError: 'public class Main {\n  public static void main(String[] args) {\n    int x = "boom"\n  }\n}',
  },
  cpp: {
    hello: '#include <iostream>\nint main() {\n  std::cout << "Hello, world!" << std::endl;\n}',
    echo: '#include <iostream>\nint main() {\n  std::cout << std::cin.rdbuf();\n}',
    runtimeError: '#include <cstdlib>\nint main() {\n  volatile int* p = nullptr;\n  *p = 1;\n}',
    exitSeven: 'int main() {\n  return 7;\n}',
    compileError: 'int main() {\n  undeclared = 1;\n}',
  },
  csharp: {
    hello: 'using System;\nclass Program {\n  static void Main() {\n    Console.WriteLine("Hello, world!");\n  }\n}',
    echo: 'using System;\nclass Program {\n  static void Main() {\n    Console.Out.Write(Console.In.ReadToEnd());\n  }\n}',
    runtimeError: 'using System;\nclass Program {\n  static void Main() {\n    throw new InvalidOperationException("boom");\n  }\n}',
    exitSeven: 'using System;\nclass Program {\n  static void Main() {\n    Environment.Exit(7);\n  }\n}',
    compileError: 'class Program {\n  static void Main() {\n    int x = "boom";\n  }\n}',
  },
};

const STDIN = 'first line\nzweite Zeile – ü €\n';

it('the bubblewrap sandbox works here (CI must install bubblewrap and allow user namespaces)', async () => {
  expect(await deps.sandbox.availability()).toEqual({ available: true });
});

describe.concurrent.each(languages)('%s', (language) => {
  const program = programs[language];
  const skip = missing(language);

  it.skipIf(skip)('prints hello world', async () => {
    const result = await run(language, program.hello);
    expect(result).toMatchObject({ status: 'ok', exitCode: 0, stdout: 'Hello, world!\n', truncated: false });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it.skipIf(skip)('echoes stdin byte for byte', async () => {
    const result = await run(language, program.echo, STDIN);
    expect(result).toMatchObject({ status: 'ok', stdout: STDIN });
  });

  it.skipIf(skip)('reports a runtime error', async () => {
    const result = await run(language, program.runtimeError);
    expect(result.status).toBe('runtime_error');
    if (language === 'cpp') expect(result).toMatchObject({ exitCode: null, signal: 'SIGSEGV' });
    else expect(result.stderr).toMatch(/boom/);
  });

  it.skipIf(skip)('reports a non-zero exit code', async () => {
    const result = await run(language, program.exitSeven);
    expect(result).toMatchObject({ status: 'runtime_error', exitCode: 7 });
  });

  // Python and JavaScript have no compile step: their syntax errors are runtime errors.
  const compileError = program.compileError;
  if (compileError === undefined) return;
  it.skipIf(skip)('reports a compile error with the compiler output, and runs nothing', async () => {
    const result = await run(language, compileError);
    expect(result.status).toBe('compile_error');
    expect(result.compileOutput).toMatch(/error/i);
    expect(result.compileOutput).toMatch(language === 'typescript' ? /main\.ts:1/ : /\b[Mm]ain\.\w+[:(]\d/);
    expect(result).toMatchObject({ exitCode: null, stdout: '', stderr: '' });
  });
});

describe('request size limits', () => {
  it.skipIf(missing('python'))('runs a source of almost 64 KB and echoes 16 KB of stdin', async () => {
    const source = `# ${'x'.repeat(64 * 1024 - 200)}\nimport sys\nsys.stdout.write(sys.stdin.read())`;
    const stdin = 'y'.repeat(16 * 1024 - 1) + '\n';
    const result = await run('python', source, stdin);
    expect(result).toMatchObject({ status: 'ok', stdout: stdin });
  });
});

describe('compiler start-up caches', () => {
  it('are built for the toolchains present', () => {
    expect(toolCacheDir).toBeDefined();
    if (!missing('java')) expect(existsSync(join(toolCacheDir!, 'javac.jsa'))).toBe(true);
    if (!missing('cpp')) expect(existsSync(join(toolCacheDir!, 'gcc-pch', 'bits', 'stdc++.h.gch'))).toBe(true);
  });

  it.skipIf(missing('cpp'))('compile a <bits/stdc++.h> program with its precompiled header', async () => {
    const result = await run('cpp', '#include <bits/stdc++.h>\nusing namespace std;\nint main() {\n  vector<int> v{3, 1, 2};\n  sort(v.begin(), v.end());\n  for (int x : v) cout << x;\n  cout << endl;\n}');
    expect(result).toMatchObject({ status: 'ok', stdout: '123\n' });
  });

  it.skipIf(missing('cpp'))('fall back to the real header when a macro makes the precompiled one unusable', async () => {
    const result = await run('cpp', '#define _GLIBCXX_DEBUG 1\n#include <bits/stdc++.h>\nint main() {\n  std::vector<int> v(2);\n  std::cout << v.size() << std::endl;\n}');
    expect(result).toMatchObject({ status: 'ok', stdout: '2\n' });
  });
});

describe('availability', () => {
  it('lists all six languages with a reason for any that are missing', () => {
    expect(availability.map((entry) => entry.language)).toEqual([...languages]);
    for (const entry of availability) {
      if (!entry.available) expect(entry.message).toMatch(/apt-get install/);
    }
  });
});
