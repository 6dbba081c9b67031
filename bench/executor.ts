import { performance } from 'node:perf_hooks';
import { languages, type Language } from '../src/protocol/code.js';
import { availableLanguages, runCode } from '../amplify/executor/run-code.js';
import { localRunCodeDeps } from '../local/code-runner.js';
import { percentiles } from './stats.js';

/**
 * Hello world per language in the local bubblewrap sandbox: the whole run as
 * a user waits for it (transpile or compile, sandbox set-up, run), one after
 * another, with the compiler start-up caches a local stack uses. One warm-up
 * run per language first (page cache, esbuild's service).
 */

export const helloWorld: Record<Language, string> = {
  python: 'print("Hello, world!")',
  javascript: 'console.log("Hello, world!");',
  typescript: 'const greeting: string = "Hello, world!";\nconsole.log(greeting);',
  java: 'public class Main {\n  public static void main(String[] args) {\n    System.out.println("Hello, world!");\n  }\n}',
  cpp: '#include <iostream>\nint main() {\n  std::cout << "Hello, world!" << std::endl;\n}',
  csharp: 'using System;\nclass Program {\n  static void Main() {\n    Console.WriteLine("Hello, world!");\n  }\n}',
};

export async function benchExecutor(runs = 20): Promise<Record<string, { p50: number; p95: number }>> {
  const deps = await localRunCodeDeps();
  const availability = await availableLanguages(deps);
  const results: Record<string, { p50: number; p95: number }> = {};
  for (const language of languages) {
    const entry = availability.find((candidate) => candidate.language === language);
    if (!entry?.available) {
      console.warn(`   ${language}: skipped (${entry?.message ?? 'unavailable'})`);
      continue;
    }
    const once = async (): Promise<number> => {
      const startedAt = performance.now();
      const result = await runCode({ language, source: helloWorld[language] }, deps);
      const elapsed = performance.now() - startedAt;
      if (result.status !== 'ok' || result.stdout !== 'Hello, world!\n') {
        throw new Error(`${language} hello world failed: ${result.status} ${result.message ?? ''} ${result.stderr}${result.compileOutput ?? ''}`);
      }
      return elapsed;
    };
    await once();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await once());
    const { p50, p95 } = percentiles(samples);
    results[language] = { p50, p95 };
  }
  return results;
}
