/**
 * TypeScript to JavaScript with esbuild, in the parent process: esbuild only
 * parses and prints, it never executes the source, so this is safe outside
 * the sandbox, and it saves starting a compiler inside it. Types are not
 * checked (as with `tsx` or `node --experimental-strip-types`): syntax errors
 * are compile errors, type errors are not.
 */

export type TranspileResult = { ok: true; code: string } | { ok: false; message: string };
export type TypeScriptTranspiler = (source: string) => Promise<TranspileResult>;

export const SOURCE_FILE_NAME = 'main.ts';

export const transpileTypeScriptWithEsbuild: TypeScriptTranspiler = async (source) => {
  // Loaded on first use: only TypeScript runs need it, and the Lambda image ships it unbundled.
  const esbuild = await import('esbuild');
  try {
    const output = await esbuild.transform(source, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcefile: SOURCE_FILE_NAME,
      logLevel: 'silent',
    });
    return { ok: true, code: output.code };
  } catch (error) {
    const errors = (error as { errors?: import('esbuild').Message[] }).errors;
    if (!errors?.length) throw error;
    const formatted = await esbuild.formatMessages(errors, { kind: 'error', color: false });
    return { ok: false, message: formatted.join('').trimEnd() };
  }
};
