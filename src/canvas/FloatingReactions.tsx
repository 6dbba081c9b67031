import { useCallback, useRef, useState } from 'react';
import { ReactionGlyph } from '../ui/ReactionGlyph';

interface FloatingReaction {
  id: number;
  emoji: string;
  /** Percent from the left edge. */
  left: number;
  /** Sideways drift in percent of its own width, for a less mechanical look. */
  drift: number;
}

/** At most this many at once: a burst of applause stays readable and cheap to animate. */
const MAX_FLOATING = 30;
const LIFETIME_MS = 2600;

/** Reactions that rise over the canvas and fade; returns them and a function to add one. */
export function useFloatingReactions(random: () => number = Math.random) {
  const [items, setItems] = useState<FloatingReaction[]>([]);
  const nextId = useRef(1);
  const add = useCallback(
    (emoji: string) => {
      const item = { id: nextId.current++, emoji, left: 8 + random() * 84, drift: (random() - 0.5) * 120 };
      setItems((current) => [...current, item].slice(-MAX_FLOATING));
      // A timer, not animationend: with reduced motion there is no animation to end.
      setTimeout(() => setItems((current) => current.filter((other) => other.id !== item.id)), LIFETIME_MS);
    },
    [random],
  );
  return { items, add };
}

/** Decorative (hidden from assistive technology); the reaction buttons say what they send. */
export function FloatingReactions({ items }: { items: readonly FloatingReaction[] }) {
  return (
    <div className="floating-reactions" aria-hidden="true">
      {items.map((item) => (
        <span
          key={item.id}
          className="floating-reaction"
          data-testid="floating-reaction"
          data-emoji={item.emoji}
          style={{ left: `${item.left}%`, ['--drift' as string]: `${item.drift}%` }}
        >
          <ReactionGlyph emoji={item.emoji} />
        </span>
      ))}
    </div>
  );
}
