import { sessionIdSchema } from '../protocol/session';

export type JoinInputResult = { ok: true; sessionId: string } | { ok: false; message: string };

const MESSAGES = {
  empty: 'Paste a session id or a viewer link.',
  notALink: "That link isn't a StreamCanvas viewer link. It should contain /watch/ followed by the session id.",
  truncatedLink: 'That link is missing part of the session id. Copy the whole viewer link again.',
  truncatedId: 'That session id is incomplete. A session id looks like 3f2b8c1e-5d7a-4e2b-9c1f-0a6b7d8e9f01.',
  several: 'That text contains more than one session. Paste just one viewer link.',
  garbage: "That isn't a session id or a viewer link.",
} as const;

function isSessionId(value: string): boolean {
  return sessionIdSchema.safeParse(value).success;
}

/**
 * Reads what someone pasted into "Join a session": a session id, or a viewer link
 * (`https://host/watch/<id>`, with or without the scheme, query or fragment; `/watch/<id>` too;
 * a host's `/studio/<id>` link also leads to the viewer page). A message with the link in it
 * ("Join us: https://…/watch/<id>") works too. Returns the session id, or what is wrong.
 */
export function parseJoinInput(raw: string): JoinInputResult {
  const tokens = raw.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { ok: false, message: MESSAGES.empty };
  if (tokens.length === 1) return parseToken(tokens[0]!);

  const found = new Set(
    tokens.flatMap((token) => {
      const result = parseToken(token);
      return result.ok ? [result.sessionId] : [];
    }),
  );
  if (found.size === 1) return { ok: true, sessionId: [...found][0]! };
  return { ok: false, message: found.size > 1 ? MESSAGES.several : MESSAGES.garbage };
}

function parseToken(token: string): JoinInputResult {
  // Links pasted from chat often come wrapped in <>, quotes or brackets, or followed by punctuation.
  const input = token.replace(/^[<("'[]+/, '').replace(/[>)"'\],.;!?]+$/, '');
  if (input === '') return { ok: false, message: MESSAGES.garbage };
  if (isSessionId(input)) return { ok: true, sessionId: input.toLowerCase() };

  const url = toUrl(input);
  if (url) {
    const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
    const pageIndex = segments.findIndex((segment) => segment === 'watch' || segment === 'studio');
    if (pageIndex < 0) return { ok: false, message: MESSAGES.notALink };
    const candidate = segments[pageIndex + 1];
    if (candidate !== undefined && isSessionId(candidate)) return { ok: true, sessionId: candidate.toLowerCase() };
    return { ok: false, message: MESSAGES.truncatedLink };
  }

  if (/^[0-9a-f]{8}-[0-9a-f-]*$/i.test(input)) return { ok: false, message: MESSAGES.truncatedId };
  return { ok: false, message: MESSAGES.garbage };
}

/** Accepts absolute URLs, scheme-less ones ("example.com/watch/…") and app paths ("/watch/…"). */
function toUrl(input: string): URL | undefined {
  try {
    if (/^https?:\/\//i.test(input)) return new URL(input);
    if (input.startsWith('/')) return new URL(input, 'https://streamcanvas.invalid');
    if (/^(localhost|[\w-]+(\.[\w-]+)+)(:\d+)?\//i.test(input)) return new URL(`https://${input}`);
  } catch {
    return undefined;
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
