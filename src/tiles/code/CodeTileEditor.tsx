import { useEffect, useId, useRef, useState } from 'react';
import { MAX_TILE_SOURCE_BYTES, MAX_TILE_STDIN_BYTES, languageLabels, languages, runLimits, type Language } from '../../protocol/code';
import { Button } from '../../ui/Button';
import type { TileEditorProps } from '../tile-kind';
import { sourceFits, starterPrograms, stdinFits, tileRunOf, type CodeState } from './code-state';
// Static: the editor is useless without CodeMirror, so loading (or preloading) the editor's
// chunk loads CodeMirror's with it, and an editor that loaded never waits for a second chunk.
import CodeMirrorView from './CodeMirrorView';
import { RunOutput } from './RunOutput';
import './code.css';

/** Typing reaches viewers in debounced patches: a few a second, not one per keystroke. */
const SOURCE_DEBOUNCE_MS = 250;

/** The host's controls for a code tile: language, the editor, stdin and Run. Loaded only in the studio. */
export default function CodeTileEditor({ state, update, runCode }: TileEditorProps<CodeState>) {
  const languageId = useId();
  const stdinId = useId();
  const hintId = useId();
  const [source, setSource] = useState(state.source);
  const [stdin, setStdin] = useState(state.stdin);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const published = useRef({ source: state.source, stdin: state.stdin });
  /** What the host has typed, including what the debounce still holds. */
  const typed = useRef({ source: state.source, stdin: state.stdin });
  const updateRef = useRef(update);
  updateRef.current = update;

  // Another tab of the host, or a resync, may change the code: follow it unless an edit is pending.
  useEffect(() => {
    if (timer.current === undefined) {
      setSource(state.source);
      setStdin(state.stdin);
      published.current = { source: state.source, stdin: state.stdin };
      typed.current = { source: state.source, stdin: state.stdin };
    }
  }, [state.source, state.stdin]);

  /** Publishes what is typed now: the debounce's end, and every way the editor can be left. */
  const flush = () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const next = typed.current;
    const set: Partial<CodeState> = {};
    if (next.source !== published.current.source && sourceFits(next.source)) set.source = next.source;
    if (next.stdin !== published.current.stdin && stdinFits(next.stdin)) set.stdin = next.stdin;
    if (Object.keys(set).length === 0) return;
    published.current = { ...published.current, ...set };
    updateRef.current(set);
  };
  const flushRef = useRef(flush);
  flushRef.current = flush;
  const schedule = (next: Partial<typeof typed.current>) => {
    typed.current = { ...typed.current, ...next };
    clearTimeout(timer.current);
    timer.current = setTimeout(flush, SOURCE_DEBOUNCE_MS);
  };

  // Selecting another tile unmounts this editor, and closing or hiding the page may be the
  // last chance: the last keystrokes go out then instead of being dropped with the timer.
  useEffect(() => {
    const onHide = () => flushRef.current();
    const onVisibility = () => document.visibilityState === 'hidden' && flushRef.current();
    window.addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', onHide);
      document.removeEventListener('visibilitychange', onVisibility);
      flushRef.current();
    };
  }, []);

  const changeLanguage = (language: Language) => {
    // An untouched starter program follows the language; real code is kept.
    const isStarter = source.trim() === '' || Object.values(starterPrograms).includes(source);
    const nextSource = isStarter ? starterPrograms[language] : source;
    clearTimeout(timer.current);
    timer.current = undefined;
    setSource(nextSource);
    typed.current = { ...typed.current, source: nextSource };
    published.current = { ...typed.current };
    update({ language, source: nextSource, ...(stdinFits(typed.current.stdin) ? { stdin: typed.current.stdin } : {}) });
  };

  const running = tileRunOf(state)?.status === 'running';
  const tooLong = !sourceFits(source);
  const stdinTooLong = !stdinFits(stdin);

  return (
    <div className="code-editor">
      <div className="field">
        <label className="field__label" htmlFor={languageId}>
          Language
        </label>
        <select id={languageId} className="input" value={state.language} onChange={(event) => changeLanguage(event.target.value as Language)}>
          {languages.map((language) => (
            <option key={language} value={language}>
              {languageLabels[language]}
            </option>
          ))}
        </select>
      </div>
      <div className="code-editor__source" onBlur={flush}>
        <CodeMirrorView
          value={source}
          language={state.language}
          label={`${languageLabels[state.language]} source of the code tile`}
          describedBy={hintId}
          onChange={(next) => {
            setSource(next);
            schedule({ source: next });
          }}
        />
      </div>
      <p id={hintId} className="field__hint code-editor__keys">
        <kbd>Tab</kbd> indents. To leave the editor, press <kbd>Esc</kbd>, then <kbd>Tab</kbd>.
      </p>
      {tooLong ? (
        <p className="field__error" role="alert">
          The code is longer than {MAX_TILE_SOURCE_BYTES / 1024} KB; viewers keep seeing the last version that fit.
        </p>
      ) : null}
      <div className="field">
        <label className="field__label" htmlFor={stdinId}>
          Input (stdin) <span className="muted">(optional)</span>
        </label>
        <textarea
          id={stdinId}
          className="input code-editor__stdin"
          rows={3}
          value={stdin}
          onChange={(event) => {
            setStdin(event.target.value);
            schedule({ stdin: event.target.value });
          }}
          onBlur={flush}
        />
        {stdinTooLong ? <p className="field__error">Input is limited to {MAX_TILE_STDIN_BYTES / 1024} KB.</p> : null}
      </div>
      <div className="code-editor__actions">
        <Button
          variant="primary"
          disabled={running || tooLong || stdinTooLong}
          onClick={() => {
            flush();
            runCode(stdin);
          }}
        >
          {running ? 'Running…' : 'Run'}
        </Button>
        <span className="muted code-editor__limits">
          {runLimits.wallTimeMs / 1000} s · {runLimits.memoryBytes / 2 ** 20} MB · no network
        </span>
      </div>
      <RunOutput run={tileRunOf(state)} />
    </div>
  );
}
