import { reactionEmojis } from '../protocol/realtime';

/**
 * The reactions as images shipped with the app (Twemoji, CC-BY 4.0: public/reactions/LICENSE.md),
 * so every viewer sees them, also on machines without an emoji font. Served as files, not
 * inlined: they stay out of the viewer's JavaScript and load after the canvas.
 */
const codePoints: Record<(typeof reactionEmojis)[number], string> = {
  '👏': '1f44f',
  '❤️': '2764',
  '😂': '1f602',
  '🎉': '1f389',
  '🤯': '1f92f',
  '👍': '1f44d',
  '🔥': '1f525',
  '🙌': '1f64c',
};

export function reactionImage(emoji: string): string | undefined {
  const point = codePoints[emoji as keyof typeof codePoints];
  return point ? `/reactions/${point}.svg` : undefined;
}

/** Decorative: the button or region around it says what it means. */
export function ReactionGlyph({ emoji, className = 'reaction-glyph' }: { emoji: string; className?: string }) {
  const src = reactionImage(emoji);
  if (!src) return <span className={className}>{emoji}</span>;
  return <img className={className} src={src} alt="" draggable={false} data-emoji={emoji} />;
}
