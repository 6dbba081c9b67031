import { useEffect, useState } from 'react';
import { CanvasFrame } from '../canvas/CanvasFrame';
import { useTileRegistry } from '../tiles/registry-context';
import type { TileKind } from '../tiles/tile-kind';
import { useDocumentTitle } from '../lib/use-document-title';
import { Badge } from '../ui/Badge';
import { ButtonLink } from '../ui/Button';
import { AppHeader } from '../ui/AppHeader';
import { BroadcastIcon } from '../ui/icons';
import { JoinForm } from './JoinForm';

export function LandingPage() {
  useDocumentTitle(undefined);
  // Generated from the registry, so the page names exactly the tiles that ship.
  const { kinds } = useTileRegistry();
  return (
    <div className="landing">
      <AppHeader />
      <main id="main" className="landing__hero">
        <div className="container landing__grid">
          <div>
            <span className="landing__eyebrow">
              <Badge tone="info" dot>
                Live canvas broadcasting
              </Badge>
            </span>
            <h1 className="landing__title">StreamCanvas</h1>
            <p className="landing__pitch">
              Put {listOf(kinds.map((kind) => pitchName(kind)))} tiles on one live canvas — viewers watch it in real time from a
              link.
            </p>
            <ul className="landing__kinds" aria-label="Tiles you can broadcast">
              {kinds.map((kind) => (
                <li key={kind.kind}>
                  {kind.Icon ? <kind.Icon className="btn__icon" aria-hidden="true" /> : null}
                  <span>
                    <strong>{kind.label}</strong> {kind.description}
                  </span>
                </li>
              ))}
            </ul>
            <JoinForm />
            <div className="landing__host">
              <ButtonLink to="/signin" variant="secondary" icon={<BroadcastIcon className="btn__icon" />}>
                Sign in to host
              </ButtonLink>
              <span>Hosting needs a free account. Watching never does.</span>
            </div>
          </div>
          <div aria-hidden="true">
            <CanvasPreview kinds={kinds} />
          </div>
        </div>
      </main>
      <footer className="footer">
        <div className="container">Tiles travel as data, not pixels: text stays crisp and copyable for every viewer.</div>
      </footer>
    </div>
  );
}

/** "clock", "code" and "slides" → "clock, code and slides". */
function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function pitchName(kind: TileKind): string {
  return kind.label.toLowerCase();
}

/** A decorative miniature of a canvas with one tile per kind that ships (hidden from assistive technology). */
function CanvasPreview({ kinds }: { kinds: readonly TileKind[] }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const clock = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (
    <CanvasFrame label="Example canvas">
      <div className="landing__preview" style={{ position: 'absolute', inset: 0 }}>
        {kinds.map((kind) => (
          <div key={kind.kind} className={`preview-tile preview-tile--${kind.kind}`}>
            <span className="preview-tile__label">
              {kind.Icon ? <kind.Icon className="preview-tile__icon" aria-hidden="true" /> : null}
              {kind.label}
            </span>
            {kind.kind === 'clock' ? <span className="preview-tile__clock">{clock}</span> : <PreviewLines />}
          </div>
        ))}
      </div>
    </CanvasFrame>
  );
}

function PreviewLines() {
  return (
    <>
      <span className="preview-tile__line" style={{ width: '70%' }} />
      <span className="preview-tile__line" style={{ width: '45%', marginLeft: '8%' }} />
      <span className="preview-tile__line" style={{ width: '58%', marginLeft: '8%' }} />
      <span className="preview-tile__line" style={{ width: '30%' }} />
    </>
  );
}
