import { useMemo } from 'react';
import { createRateGuard } from '../lib/rate-guard';
import { rateLimits, reactionEmojis } from '../protocol/realtime';
import { ReactionGlyph } from '../ui/ReactionGlyph';

/** What each reaction means, for its button's accessible name. */
export const reactionNames: Record<(typeof reactionEmojis)[number], string> = {
  '👏': 'applause',
  '❤️': 'love',
  '😂': 'laughter',
  '🎉': 'celebration',
  '🤯': 'mind blown',
  '👍': 'thumbs up',
  '🔥': 'fire',
  '🙌': 'raised hands',
};

/** The allowed reactions as buttons; paced locally to the server's limit so none is refused. */
export function ReactionBar({ onReact, disabled }: { onReact: (emoji: string) => void; disabled: boolean }) {
  const guard = useMemo(() => createRateGuard(rateLimits.react.max, rateLimits.react.windowSeconds * 1000), []);
  return (
    <div className="reaction-bar" role="group" aria-label="Reactions">
      {reactionEmojis.map((emoji) => (
        <button
          key={emoji}
          type="button"
          className="reaction-bar__button"
          aria-label={`React with ${reactionNames[emoji]}`}
          title={`React with ${reactionNames[emoji]}`}
          disabled={disabled}
          onClick={() => {
            if (guard.tryTake()) onReact(emoji);
          }}
        >
          <ReactionGlyph emoji={emoji} />
        </button>
      ))}
    </div>
  );
}
