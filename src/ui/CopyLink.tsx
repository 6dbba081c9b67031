import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { copyText } from '../lib/clipboard';
import { buttonClassName, type ButtonSize, type ButtonVariant } from './Button';
import { CheckIcon, LinkIcon } from './icons';
import { useToast } from './Toast';

export interface CopyLinkProps {
  /** The link to copy; it is also the anchor's href, so it can be opened or copied from the context menu. */
  href: string;
  label?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Extra context for assistive technology, e.g. the session title when several rows have the same link text. */
  describedBy?: string;
}

/**
 * A link that copies its own address on click and confirms with a "Copied" status next to it.
 * Its accessible name stays the same before and after copying.
 */
export function CopyLink({ href, label = 'Copy viewer link', variant = 'secondary', size = 'md', describedBy }: CopyLinkProps) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const toast = useToast();

  useEffect(() => () => clearTimeout(timer.current), []);

  async function onClick(event: MouseEvent<HTMLAnchorElement>) {
    // Let modified clicks (new tab, new window) do what the person asked for.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    try {
      await copyText(href);
      setCopied(true);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(false), 2500);
    } catch (error) {
      toast.show({
        tone: 'error',
        title: 'Could not copy the link',
        description: error instanceof Error ? error.message : undefined,
        resolution: `Copy it by hand: ${href}`,
      });
    }
  }

  return (
    <span className="copy-link">
      <a
        href={href}
        className={buttonClassName({ variant, size })}
        onClick={(event) => void onClick(event)}
        aria-describedby={describedBy}
        title={label}
      >
        {copied ? <CheckIcon className="btn__icon" /> : <LinkIcon className="btn__icon" />}
        <span className="btn__label">{label}</span>
      </a>
      <span className="copy-link__status" role="status" aria-live="polite">
        {copied ? 'Copied' : ''}
      </span>
    </span>
  );
}
