import { z } from 'zod';
import { MAX_TILE_SOURCE_BYTES, MAX_TILE_STDIN_BYTES, languageSchema, type Language, type TileRun } from '../../protocol/code';
import type { Json } from '../../protocol/realtime';

/**
 * A code tile holds the program, its language and stdin (the host's), and the last run
 * (the server's: it writes `running`, then the result).
 */
const runSchema = z
  .object({ runId: z.string(), status: z.string(), language: languageSchema, startedAt: z.number() })
  .passthrough()
  .transform((run) => run as unknown as TileRun);

const codeStateSchema = z.object({
  language: languageSchema.catch('python'),
  source: z.string().catch(''),
  stdin: z.string().catch(''),
  run: runSchema.optional().catch(undefined),
});

/** The run is stored as plain JSON; `tileRunOf` reads it with its type. */
export type CodeState = { language: Language; source: string; stdin: string; run?: Json };

export function parseCodeState(value: unknown): CodeState {
  return codeStateSchema.parse(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as CodeState;
}

export function tileRunOf(state: CodeState): TileRun | undefined {
  return state.run as TileRun | undefined;
}

export const starterPrograms: Record<Language, string> = {
  python: 'name = input("Your name? ")\nprint(f"Hello, {name}!")\n',
  javascript: "const lines = require('fs').readFileSync(0, 'utf8').split('\\n');\nconsole.log(`Hello, ${lines[0] || 'world'}!`);\n",
  typescript: "const greet = (name: string): string => `Hello, ${name}!`;\nconsole.log(greet('TypeScript'));\n",
  java: 'public class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello from Java!");\n    }\n}\n',
  cpp: '#include <iostream>\n\nint main() {\n    std::cout << "Hello from C++!" << std::endl;\n    return 0;\n}\n',
  csharp: 'using System;\n\nclass Program {\n    static void Main() {\n        Console.WriteLine("Hello from C#!");\n    }\n}\n',
};

export function initialCodeState(): CodeState {
  return { language: 'python', source: starterPrograms.python, stdin: '' };
}

export const utf8Length = (text: string): number => new TextEncoder().encode(text).length;
export const sourceFits = (source: string): boolean => utf8Length(source) <= MAX_TILE_SOURCE_BYTES;
export const stdinFits = (stdin: string): boolean => utf8Length(stdin) <= MAX_TILE_STDIN_BYTES;
