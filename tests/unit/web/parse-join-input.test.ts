import { describe, expect, it } from 'vitest';
import { parseJoinInput } from '../../../src/join/parse-join-input';

const ID = '3f2b8c1e-5d7a-4e2b-9c1f-0a6b7d8e9f01';

describe('parseJoinInput', () => {
  it.each([
    ['a bare id', ID],
    ['an id with spaces around it', `  ${ID}\n`],
    ['an upper-case id', ID.toUpperCase()],
    ['a full viewer link', `https://streamcanvas.example.com/watch/${ID}`],
    ['a local viewer link', `http://localhost:5173/watch/${ID}`],
    ['a link with query and fragment', `https://x.example/watch/${ID}?utm=chat#top`],
    ['a link with a trailing slash', `https://x.example/watch/${ID}/`],
    ['a link without a scheme', `streamcanvas.example.com/watch/${ID}`],
    ['an app path', `/watch/${ID}`],
    ['a link in angle brackets', `<https://x.example/watch/${ID}>`],
    ['a link followed by a full stop', `https://x.example/watch/${ID}.`],
    ['a host studio link', `https://x.example/studio/${ID}`],
    ['a message containing the link', `Join us here: https://x.example/watch/${ID} — starts at 10`],
  ])('accepts %s', (_name, input) => {
    expect(parseJoinInput(input)).toEqual({ ok: true, sessionId: ID });
  });

  it.each([
    ['empty input', '', 'Paste a session id or a viewer link.'],
    ['only spaces', '   ', 'Paste a session id or a viewer link.'],
    ['words', 'hello world', "That isn't a session id or a viewer link."],
    ['a truncated id', ID.slice(0, 20), 'That session id is incomplete.'],
    ['another site', 'https://example.com/some/page', "isn't a StreamCanvas viewer link"],
    ['a link with a truncated id', `https://x.example/watch/${ID.slice(0, 30)}`, 'missing part of the session id'],
    ['a link without an id', 'https://x.example/watch/', 'missing part of the session id'],
    ['a javascript: URL', `javascript:alert(1)//${ID}x`, "That isn't a session id or a viewer link."],
    ['two different sessions', `/watch/${ID} /watch/${crypto.randomUUID()}`, 'more than one session'],
  ])('rejects %s with a message', (_name, input, message) => {
    const result = parseJoinInput(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });
});
