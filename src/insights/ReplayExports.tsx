import { useEffect, useState } from 'react';
import { languageLabels } from '../protocol/code';
import type { SessionInsights } from '../protocol/replay';
import { parseCodeState } from '../tiles/code/code-state';
import { readWholeLog, replayStateAt, type ReplayReader } from '../replay/replay-api';
import { Button } from '../ui/Button';
import { useToast } from '../ui/Toast';
import { chatOf, count, download, fileStem, sourceExtensions, transcriptCsv, transcriptText } from './transcript';

interface CodeFile {
  tileId: string;
  language: keyof typeof sourceExtensions;
  source: string;
}

/** Downloads for the host: the chat transcript (text or CSV) and the final code of each code tile. */
export function ReplayExports({ reader, insights }: { reader: ReplayReader; insights: SessionInsights }) {
  const toast = useToast();
  const ended = insights.status === 'ended';
  const [exporting, setExporting] = useState<'txt' | 'csv'>();
  const [progress, setProgress] = useState<string>();
  const [code, setCode] = useState<CodeFile[] | 'loading' | 'failed'>('loading');
  const stem = fileStem(insights.title);

  useEffect(() => {
    if (!ended) return;
    const controller = new AbortController();
    // The canvas at the end: one seek.
    replayStateAt(reader, insights.endAt, { signal: controller.signal }).then(
      (state) =>
        setCode(
          Object.entries(state.canvas.tiles)
            .filter(([, tile]) => tile.kind === 'code')
            .map(([tileId, tile]) => ({ tileId, ...parseCodeState(tile.state) })),
        ),
      () => !controller.signal.aborted && setCode('failed'),
    );
    return () => controller.abort();
  }, [reader, ended, insights.endAt]);

  async function exportChat(format: 'txt' | 'csv') {
    setExporting(format);
    try {
      const entries = await readWholeLog(reader, (seq) => setProgress(`${seq} messages read…`));
      const messages = chatOf(entries);
      if (format === 'csv') download(`${stem}-chat.csv`, transcriptCsv(messages), 'text/csv;charset=utf-8');
      else download(`${stem}-chat.txt`, transcriptText(insights.title, messages), 'text/plain;charset=utf-8');
    } catch (error) {
      toast.error('Could not export the chat', error);
    } finally {
      setExporting(undefined);
      setProgress(undefined);
    }
  }

  return (
    <section className="card insights__exports" aria-labelledby="exports-heading">
      <div className="card__body">
        <h2 id="exports-heading" className="section-title">
          Export
        </h2>
        {!ended ? (
          <p className="muted">The chat transcript and the final code can be exported once the session has ended.</p>
        ) : (
          <>
            <div className="insights__export-row">
              <span>Chat transcript ({count(insights.chat.total, 'message')})</span>
              <Button size="sm" busy={exporting === 'txt'} disabled={exporting !== undefined} onClick={() => void exportChat('txt')}>
                Download chat (text)
              </Button>
              <Button size="sm" busy={exporting === 'csv'} disabled={exporting !== undefined} onClick={() => void exportChat('csv')}>
                Download chat (CSV)
              </Button>
              {progress ? (
                <span className="muted" role="status">
                  {progress}
                </span>
              ) : null}
            </div>
            <h3 className="insights__export-heading">Final code</h3>
            {code === 'loading' ? (
              <p className="muted" role="status">
                Reading the final canvas…
              </p>
            ) : code === 'failed' ? (
              <p className="muted">The final canvas could not be read. Reload to try again.</p>
            ) : code.length === 0 ? (
              <p className="muted">No code tiles were on the canvas at the end.</p>
            ) : (
              <ul className="insights__code-list">
                {code.map((file) => (
                  <li key={file.tileId} className="insights__export-row">
                    <span>
                      {languageLabels[file.language]} · tile {file.tileId} · {file.source.split('\n').length} lines
                    </span>
                    <Button
                      size="sm"
                      aria-label={`Download the ${languageLabels[file.language]} code of tile ${file.tileId}`}
                      onClick={() => download(`${stem}-${file.tileId}.${sourceExtensions[file.language]}`, file.source, 'text/plain;charset=utf-8')}
                    >
                      Download code
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </section>
  );
}
