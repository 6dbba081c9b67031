import type { ServerMessage } from './realtime';

/**
 * The broadcast half of the realtime protocol: messages every connection of a session gets are
 * published once to the session's channel of an AWS AppSync Events API, which fans them out
 * (docs/protocol.md, "Broadcast through the Event API"). Shared by the realtime function (which
 * publishes), the Event API's authorizer (which guards subscriptions) and the browser.
 */

/** The channel namespace of live sessions: only the backend publishes (IAM), subscribers need a live session (Lambda authorizer). */
export const LIVE_NAMESPACE = 'live';

/** One channel per session. A session id is a UUID: letters, digits and dashes, as channel segments must be. */
export function sessionChannel(sessionId: string): string {
  return `/${LIVE_NAMESPACE}/${sessionId}`;
}

/** The session a channel belongs to, if it is a live-session channel. */
export function sessionOfChannel(channel: string): string | undefined {
  const [namespace, sessionId, ...rest] = channel.replace(/^\//, '').split('/');
  return namespace === LIVE_NAMESPACE && rest.length === 0 && sessionId && /^[0-9a-fA-F-]{36}$/.test(sessionId) ? sessionId : undefined;
}

/** What travels on a session's channel: the messages for everyone. Everything else stays on the WebSocket API. */
export type BroadcastMessage = Extract<ServerMessage, { type: 'patch' | 'chat' | 'reaction' | 'beacon' | 'ended' }>;
