import { TITLE_MAX_LENGTH } from '../protocol/session';

/** The same rule the API applies (trimmed, 1–120 characters), worded for the form. */
export function validateTitle(raw: string): string | undefined {
  const title = raw.trim();
  if (title.length === 0) return 'Give your session a title.';
  if (title.length > TITLE_MAX_LENGTH) {
    return `Keep the title to ${TITLE_MAX_LENGTH} characters or fewer (it has ${title.length}).`;
  }
  return undefined;
}
