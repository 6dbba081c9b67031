import { runLimits, type TileRun } from '../../protocol/code';

const statusText: Record<string, string> = {
  running: 'Running…',
  ok: 'Finished',
  compile_error: 'Compile error',
  runtime_error: 'Runtime error',
  timeout: `Stopped: over the ${runLimits.wallTimeMs / 1000} s limit`,
  memory_limit: `Stopped: over the ${runLimits.memoryBytes / 2 ** 20} MB memory limit`,
  output_limit: `Stopped: over the ${runLimits.outputBytes / 1024} KB output limit`,
  invalid_request: 'Could not run',
  unavailable: 'Unavailable',
  busy: 'Busy: try again',
  internal_error: 'Executor error',
};

/** A run's result: stdout and stderr apart, compile errors as such, then exit code and time. */
export function RunOutput({ run }: { run: TileRun | undefined }) {
  if (!run) return <p className="code-output__empty">Output appears here when the host runs the code.</p>;
  if (run.status === 'running') {
    return (
      <p className="code-output__status code-output__status--running" role="status">
        Running…
      </p>
    );
  }
  const tone = run.status === 'ok' ? 'ok' : 'error';
  return (
    <div className="code-output" aria-live="polite">
      <p className={`code-output__status code-output__status--${tone}`} role="status">
        <span data-testid="run-status">{statusText[run.status] ?? run.status}</span>
        {run.exitCode !== null ? <span className="code-output__meta">exit code {run.exitCode}</span> : null}
        {run.signal ? <span className="code-output__meta">{run.signal}</span> : null}
        {programRan(run) ? <span className="code-output__meta">ran {formatMs(run.durationMs)}</span> : null}
        {run.compileMs !== undefined ? <span className="code-output__meta">compiled in {formatMs(run.compileMs)}</span> : null}
      </p>
      {run.message ? <p className="code-output__message">{run.message}</p> : null}
      {run.compileOutput ? <OutputBlock label="Compiler" text={run.compileOutput} tone="stderr" /> : null}
      {run.stdout ? <OutputBlock label="stdout" text={run.stdout} tone="stdout" /> : null}
      {run.stderr ? <OutputBlock label="stderr" text={run.stderr} tone="stderr" /> : null}
      {!run.stdout && !run.stderr && !run.compileOutput && run.status === 'ok' ? <p className="code-output__empty">No output.</p> : null}
      {run.truncated ? <p className="code-output__message">Output was cut at the limit.</p> : null}
    </div>
  );
}

function OutputBlock({ label, text, tone }: { label: string; text: string; tone: 'stdout' | 'stderr' }) {
  return (
    <section className={`code-output__block code-output__block--${tone}`} aria-label={label}>
      <h4 className="code-output__label">{label}</h4>
      <pre data-testid={`run-${label.toLowerCase()}`}>{text}</pre>
    </section>
  );
}

/** A compile failure or a refused run never started the program: a run time of "0 ms" would be false. */
const NOT_STARTED = new Set(['compile_error', 'invalid_request', 'unavailable', 'busy']);
export function programRan(run: TileRun): boolean {
  return !NOT_STARTED.has(run.status) && !(run.status === 'internal_error' && run.durationMs === 0);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
