import { describe, expect, it } from 'vitest';
import { languageLabels, languages } from '../../src/protocol/code.js';
import { PROGRAM_MEMORY_BYTES, javaMainClass, languageRegistry } from '../../amplify/executor/languages.js';

/** The language registry: pure data, checked for the properties runCode and the sandboxes rely on. */

describe('the language registry', () => {
  it('has an entry for every protocol language, labelled as the protocol labels it', () => {
    expect(Object.keys(languageRegistry).sort()).toEqual([...languages].sort());
    for (const language of languages) {
      expect(languageRegistry[language].id).toBe(language);
      expect(languageRegistry[language].label).toBe(languageLabels[language]);
    }
  });

  it('uses bare program names that the sandbox resolves, and names what to install for each', () => {
    for (const spec of Object.values(languageRegistry)) {
      expect(spec.requires.length).toBeGreaterThan(0);
      for (const requirement of spec.requires) {
        expect(requirement.program).not.toContain('/');
        expect(requirement.install).toMatch(/apt-get install/);
      }
      const commands = [spec.run(spec.fileName('')), ...(spec.compile ? [spec.compile(spec.fileName(''))] : [])];
      for (const command of commands) {
        const program = command.argv[0]!;
        if (!program.startsWith('./')) expect(spec.requires.map((r) => r.program)).toContain(program);
      }
    }
  });

  it('runs only plain file names in the work dir', () => {
    for (const spec of Object.values(languageRegistry)) {
      expect(spec.fileName('class X {}')).toMatch(/^[A-Za-z_][\w.]*$/);
    }
  });

  it('compiles exactly the compiled languages, and transpiles TypeScript in the parent', () => {
    const compiled = languages.filter((language) => languageRegistry[language].compile);
    expect(compiled).toEqual(['java', 'cpp', 'csharp']);
    expect(languageRegistry.typescript.prepare).toBe('transpile-typescript');
  });

  it('caps managed heaps at the program memory limit so they fail with their own out-of-memory error', () => {
    const mb = PROGRAM_MEMORY_BYTES / 1024 / 1024;
    expect(languageRegistry.java.run('Main.java').argv).toContain(`-Xmx${mb}m`);
    expect(languageRegistry.javascript.run('main.js').argv).toContain(`--max-old-space-size=${mb}`);
    expect(languageRegistry.csharp.run('main.cs').env?.MONO_GC_PARAMS).toBe(`max-heap-size=${mb}m`);
  });

  it('recognizes each runtime\'s out-of-memory report', () => {
    expect(languageRegistry.python.outOfMemory.test('MemoryError')).toBe(true);
    expect(languageRegistry.javascript.outOfMemory.test('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(true);
    expect(languageRegistry.java.outOfMemory.test('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space')).toBe(true);
    expect(languageRegistry.cpp.outOfMemory.test("what():  std::bad_alloc")).toBe(true);
    expect(languageRegistry.csharp.outOfMemory.test('System.OutOfMemoryException: Insufficient memory')).toBe(true);
    expect(languageRegistry.python.outOfMemory.test('ZeroDivisionError: division by zero')).toBe(false);
  });
});

describe('javaMainClass', () => {
  it('finds the public class, whatever its modifiers', () => {
    expect(javaMainClass('import java.util.*;\npublic final class Solver { }')).toBe('Solver');
    expect(javaMainClass('class Helper {}\npublic class App { public static void main(String[] a) {} }')).toBe('App');
  });

  it('without a public class, takes the class that declares main', () => {
    expect(javaMainClass('class Helper { }\nclass Solution {\n  public static void main(String[] args) {}\n}')).toBe('Solution');
  });

  it('ignores classes in comments, and defaults to Main', () => {
    expect(javaMainClass('// public class Commented\n/* public class Block */ class Main {}')).toBe('Main');
    expect(javaMainClass('')).toBe('Main');
    expect(javaMainClass('public class A$B {}')).toBe('Main');
  });
});
