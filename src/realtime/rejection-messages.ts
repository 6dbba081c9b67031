import type { RoomNotice } from './room-store';

type Rejection = Extract<RoomNotice, { type: 'rejected' }>;

/** A toast's title for a server refusal; the server's own message says the rest. */
export function rejectionTitle(rejection: Rejection): string {
  switch (rejection.code) {
    case 'rate_limited':
      return 'Slow down a little';
    case 'forbidden':
      return rejection.action === 'chat' ? 'Message not sent' : 'Not allowed';
    case 'session_ended':
      return 'This session has ended';
    case 'unknown_tile':
      return 'A change could not be saved';
    case 'too_large':
    case 'snapshot_too_large':
      return 'That change is too large';
    case 'bad_message':
      return 'The server could not read a change';
    case 'unavailable':
      return 'Not available here';
    case 'board_too_large':
      return 'The whiteboard is full';
    default:
      return 'Something went wrong';
  }
}

/** What the person can do next, where the message alone does not say. */
export function rejectionResolution(rejection: Rejection): string | undefined {
  if (rejection.action === 'publishState') return 'The canvas now shows what was saved.';
  if (rejection.action === 'boardUpdate') return 'Viewers keep seeing the board as it was last saved; the refused elements stay only on your screen.';
  if (rejection.code === 'bad_message' || rejection.code === 'internal') return 'Reload the page if it keeps happening.';
  return undefined;
}
