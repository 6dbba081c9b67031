import { useEffect, useMemo, type ReactNode } from 'react';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import { CanvasSurface } from '../canvas/CanvasSurface';
import { FloatingReactions, useFloatingReactions } from '../canvas/FloatingReactions';
import { TileLayer } from '../canvas/TileLayer';
import { ChatMessages } from '../chat/ChatMessages';
import { describeError } from '../lib/errors';
import { TilePlaybackContext, type TilePlayback } from '../tiles/playback';
import { useTileRegistry } from '../tiles/registry-context';
import type { ServerClock } from '../tiles/tile-kind';
import { useTicker } from '../tiles/use-ticker';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';
import { AlertIcon, BroadcastIcon, ChatIcon, PauseIcon, PlayIcon } from '../ui/icons';
import type { ReplayReader } from './replay-api';
import type { ReplayEngine } from './replay-engine';
import { formatOffset, markerLabel } from './replay-format';
import { ReplayTimeline, SKIP_MS, type MarkerViewProps } from './ReplayTimeline';
import { useReplayEngine } from './use-replay';
import { PLAYBACK_SPEEDS, stepSpeed } from './virtual-clock';
import '../chat/chat.css';
import './replay.css';

export interface ReplayPlayerProps {
  sessionId: string;
  title: string;
  reader: ReplayReader;
  /** A live session (Rewind): the timeline ends at the server's now, and catching up returns to live. */
  live?: { serverNow: () => number; connectionId?: string; onBackToLive: () => void };
}

/**
 * A session's replay: the canvas exactly as it was at the playhead (the same tile views as
 * live, on a virtual clock), its chat and reactions in sync, a timeline with markers, and the
 * controls a video has. Keyboard: Space plays or pauses, arrows skip 10 s, < and > change speed.
 */
export function ReplayPlayer({ sessionId, title, reader, live }: ReplayPlayerProps) {
  const reactions = useFloatingReactions();
  const { engine, view } = useReplayEngine(sessionId, {
    reader,
    ...(live ? { live: { serverNow: live.serverNow } } : {}),
    onReaction: reactions.add,
    onCaughtUp: live?.onBackToLive,
  });
  const registry = useTileRegistry();
  const labelOfKind = (kind: string) => registry.find(kind)?.label ?? kind;
  const clock = useMemo<ServerClock>(() => ({ now: () => engine?.time() ?? Date.now() }), [engine]);
  const playback = useMemo<TilePlayback>(
    () => ({
      mode: 'replay',
      sessionId,
      seq: view.state.seq,
      ...(view.state.attachments ? { attachments: view.state.attachments } : {}),
      ...(live?.connectionId ? { connectionId: live.connectionId } : {}),
    }),
    [sessionId, view.state.seq, view.state.attachments, live?.connectionId],
  );
  useReplayShortcuts(engine);

  if (view.phase === 'error') {
    const { message, resolution } = describeError(view.error);
    return (
      <div className="replay-message" role="alert">
        <AlertIcon className="replay-message__icon" />
        <h2>The replay couldn't be loaded</h2>
        <p>{message}</p>
        {resolution ? <p>{resolution}</p> : null}
      </div>
    );
  }
  if (view.phase === 'loading' || !engine) {
    return (
      <div className="replay-message" role="status">
        <Spinner size="lg" />
        <p>Loading the replay…</p>
      </div>
    );
  }

  const { canvas, chat } = view.state;
  const markers = view.manifest?.markers ?? [];
  return (
    <main id="main" className="watch__layout replay" data-testid="replay-player" data-playing={view.playing} data-speed={view.speed}>
      <div className="watch__stage-column">
        <div className="watch__canvas">
          <CanvasFrame label={`Replay of ${title}`} overlay={stageOverlay(view.state.endedAt !== undefined, canvas.canvas.live === true, Object.keys(canvas.tiles).length)}>
            <CanvasSurface>
              <TilePlaybackContext.Provider value={playback}>
                <TileLayer snapshot={canvas} clock={clock} />
              </TilePlaybackContext.Provider>
            </CanvasSurface>
            <FloatingReactions items={reactions.items} />
            {view.buffering ? (
              <div className="replay-buffering" role="status">
                <Spinner />
                <span className="sr-only">Loading this part of the replay…</span>
              </div>
            ) : null}
          </CanvasFrame>
        </div>
        <div className="replay-controls" role="group" aria-label="Replay controls">
          <ReplayTimeline engine={engine} start={view.start} markers={markers} labelOfKind={labelOfKind} />
          <div className="replay-controls__row">
            <Button
              variant="primary"
              size="sm"
              icon={view.playing ? <PauseIcon className="btn__icon" /> : <PlayIcon className="btn__icon" />}
              onClick={() => engine.toggle()}
              aria-keyshortcuts="Space"
            >
              {view.playing ? 'Pause' : 'Play'}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => void engine.skip(-SKIP_MS)} aria-label="Back 10 seconds" aria-keyshortcuts="ArrowLeft">
              −10 s
            </Button>
            <Button size="sm" variant="ghost" onClick={() => void engine.skip(SKIP_MS)} aria-label="Forward 10 seconds" aria-keyshortcuts="ArrowRight">
              +10 s
            </Button>
            <PlayheadTime engine={engine} start={view.start} />
            <label className="replay-speed">
              <span className="sr-only">Playback speed</span>
              <select
                className="input replay-speed__select"
                value={view.speed}
                aria-keyshortcuts="< >"
                onChange={(event) => engine.setSpeed(Number(event.target.value))}
              >
                {PLAYBACK_SPEEDS.map((speed) => (
                  <option key={speed} value={speed}>
                    {speed}×
                  </option>
                ))}
              </select>
            </label>
            <MomentPicker engine={engine} start={view.start} markers={markers} labelOfKind={labelOfKind} />
            {live ? (
              <Button size="sm" variant="secondary" icon={<BroadcastIcon className="btn__icon" />} onClick={live.onBackToLive}>
                Back to live
              </Button>
            ) : null}
          </div>
        </div>
      </div>
      <section className="panel chat watch__chat" aria-labelledby="replay-chat-title">
        <header className="panel__header">
          <h2 id="replay-chat-title" className="panel__title">
            <ChatIcon className="btn__icon" />
            Chat
          </h2>
        </header>
        {canvas.canvas.chatHidden ? (
          <p className="chat__notice" role="status">
            The host had turned chat off at this point.
          </p>
        ) : null}
        <ChatMessages messages={chat} emptyText="No messages yet at this point of the replay." />
      </section>
    </main>
  );
}

function stageOverlay(ended: boolean, live: boolean, tiles: number): ReactNode {
  if (ended) return <CanvasHint title="The session ended here" text="Press Play to watch it again from the start." />;
  if (!live) {
    return (
      <div className="replay-banner">
        <BroadcastIcon className="btn__icon" />
        Not live at this point: viewers saw the waiting screen while the host prepared.
      </div>
    );
  }
  return tiles === 0 ? <CanvasHint title="The canvas is empty here" /> : undefined;
}

function PlayheadTime({ engine, start }: { engine: ReplayEngine; start: number }) {
  const text = useTicker(
    () => `${formatOffset(engine.time() - start)} / ${formatOffset(engine.end() - start)}`,
    (value) => value,
  );
  return (
    <span className="replay-time" data-testid="replay-time">
      {text}
    </span>
  );
}

/** The markers as a list: a keyboard's and a screen reader's way to them. */
function MomentPicker({ engine, start, markers, labelOfKind }: MarkerViewProps) {
  if (markers.length === 0) return null;
  return (
    <label className="replay-moments">
      <span className="sr-only">Jump to a moment</span>
      <select
        className="input replay-moments__select"
        value=""
        onChange={(event) => {
          const at = Number(event.target.value);
          if (Number.isFinite(at)) void engine.seek(at);
        }}
      >
        <option value="">Jump to…</option>
        {markers.map((marker) => (
          <option key={`${marker.seq}-${marker.kind}`} value={marker.at}>
            {formatOffset(marker.at - start)} · {markerLabel(marker, labelOfKind)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Space, arrows, < and > anywhere on the page, except where they type or choose. */
function useReplayShortcuts(engine: ReplayEngine | undefined) {
  useEffect(() => {
    if (!engine) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"], [role="dialog"]')) return;
      // Space on a focused button presses that button.
      if (event.key === ' ' && !target?.closest('button, a')) engine.toggle();
      else if (event.key === 'ArrowLeft') void engine.skip(-SKIP_MS);
      else if (event.key === 'ArrowRight') void engine.skip(SKIP_MS);
      else if (event.key === '<') engine.setSpeed(stepSpeed(engine.getView().speed, -1));
      else if (event.key === '>') engine.setSpeed(stepSpeed(engine.getView().speed, 1));
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [engine]);
}
