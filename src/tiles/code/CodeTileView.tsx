import { Suspense, lazy, useState } from 'react';
import { languageLabels } from '../../protocol/code';
import type { TileViewProps } from '../tile-kind';
import { tileRunOf, type CodeState } from './code-state';
import { RunOutput } from './RunOutput';
import './code.css';

const CodeMirrorView = lazy(() => import('./CodeMirrorView'));

/** What everyone sees in the tile: the code, highlighted and copyable, and the last run's output. */
export default function CodeTileView({ state }: TileViewProps<CodeState>) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard?.writeText(state.source).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="code-tile">
      <header className="code-tile__bar">
        <span className="code-tile__language">{languageLabels[state.language]}</span>
        <button type="button" className="code-tile__copy" onClick={copy} aria-label="Copy code">
          {copied ? 'Copied' : 'Copy'}
        </button>
      </header>
      <div className="code-tile__source">
        <Suspense fallback={<pre className="code-tile__fallback">{state.source}</pre>}>
          <CodeMirrorView value={state.source} language={state.language} readOnly label={`${languageLabels[state.language]} code`} />
        </Suspense>
      </div>
      <div className="code-tile__output">
        <RunOutput run={tileRunOf(state)} />
      </div>
    </div>
  );
}
