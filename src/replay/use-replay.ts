import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ReplayEngine, type ReplayEngineOptions, type ReplayView } from './replay-engine';

const initialView: ReplayView = {
  phase: 'loading',
  state: { seq: 0, at: 0, canvas: { seq: 0, tiles: {}, canvas: {} }, chat: [] },
  playing: false,
  speed: 1,
  buffering: false,
  start: 0,
};
const noSubscription = () => () => undefined;
const initial = () => initialView;

/**
 * A replay engine for as long as the component is mounted (a new one when `key` changes), and
 * its view. Callbacks are read when they fire, so new function identities restart nothing.
 */
export function useReplayEngine(
  key: string,
  options: Omit<ReplayEngineOptions, 'onReaction' | 'onCaughtUp'> & Pick<ReplayEngineOptions, 'onReaction' | 'onCaughtUp'>,
): { engine: ReplayEngine | undefined; view: ReplayView } {
  const latest = useRef(options);
  latest.current = options;
  const [engine, setEngine] = useState<ReplayEngine>();

  useEffect(() => {
    const { reader, live, realNow, schedule, startAt, autoplay } = latest.current;
    const created = new ReplayEngine({
      reader,
      ...(live ? { live } : {}),
      ...(realNow ? { realNow } : {}),
      ...(schedule ? { schedule } : {}),
      ...(startAt ? { startAt } : {}),
      ...(autoplay !== undefined ? { autoplay } : {}),
      onReaction: (emoji) => latest.current.onReaction?.(emoji),
      onCaughtUp: () => latest.current.onCaughtUp?.(),
    });
    setEngine(created);
    void created.open();
    return () => {
      created.dispose();
      setEngine(undefined);
    };
  }, [key]);

  const view = useSyncExternalStore(engine?.subscribe ?? noSubscription, engine?.getView ?? initial, engine?.getView ?? initial);
  return { engine, view };
}
