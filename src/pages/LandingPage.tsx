import { useEffect, useState } from 'react';
import { CanvasFrame } from '../canvas/CanvasFrame';
import { useDocumentTitle } from '../lib/use-document-title';
import { Badge } from '../ui/Badge';
import { ButtonLink } from '../ui/Button';
import { AppHeader } from '../ui/AppHeader';
import { BroadcastIcon } from '../ui/icons';
import { JoinForm } from './JoinForm';

export function LandingPage() {
  useDocumentTitle(undefined);
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
              Put your webcam, screen, code, slides, clock and whiteboard on one live canvas — viewers watch it in real
              time from a link.
            </p>
            <JoinForm />
            <div className="landing__host">
              <ButtonLink to="/signin" variant="secondary" icon={<BroadcastIcon className="btn__icon" />}>
                Sign in to host
              </ButtonLink>
              <span>Hosting needs a free account. Watching never does.</span>
            </div>
          </div>
          <div aria-hidden="true">
            <CanvasPreview />
          </div>
        </div>
      </main>
      <footer className="footer">
        <div className="container">Tiles travel as data, not pixels: text stays crisp and copyable for every viewer.</div>
      </footer>
    </div>
  );
}

/** A decorative miniature of a canvas (not interactive, hidden from assistive technology). */
function CanvasPreview() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const clock = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (
    <CanvasFrame label="Example canvas">
      <div className="landing__preview" style={{ position: 'absolute', inset: 0 }}>
        <div className="preview-tile preview-tile--cam">
          <span className="preview-tile__label">Webcam</span>
        </div>
        <div className="preview-tile preview-tile--code">
          <span className="preview-tile__label">Code</span>
          <span className="preview-tile__line" style={{ width: '70%' }} />
          <span className="preview-tile__line" style={{ width: '45%', marginLeft: '8%' }} />
          <span className="preview-tile__line" style={{ width: '58%', marginLeft: '8%' }} />
          <span className="preview-tile__line" style={{ width: '30%' }} />
        </div>
        <div className="preview-tile preview-tile--clock">{clock}</div>
        <div className="preview-tile preview-tile--slides">
          <span className="preview-tile__label">Slides · 3 / 12</span>
        </div>
      </div>
    </CanvasFrame>
  );
}
