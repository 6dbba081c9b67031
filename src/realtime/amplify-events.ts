import { Amplify } from 'aws-amplify';
import { events, type EventsChannel } from 'aws-amplify/data';
import { Hub, parseAmplifyConfig } from 'aws-amplify/utils';
import type { AmplifyOutputsJson } from '../config';
import { sessionChannel } from '../protocol/live-events';
import type { BroadcastHandlers } from './broadcast-source';

/** Amplify's Hub event for a subscription the Event API acknowledged (`subscribe_success`). */
const SUBSCRIPTION_ACK = 'Subscription ack';
/** Amplify's Hub event for its socket's state, and the states in which it is down and reconnecting. */
const CONNECTION_STATE_CHANGE = 'ConnectionStateChange';
const DISRUPTED = new Set(['ConnectionDisrupted', 'ConnectionDisruptedPendingNetwork']);

/**
 * Subscribes to a session's channel with the unmodified Amplify client. Authorization is the
 * Event API's Lambda authorizer (`lambda` mode) with the session id as the token: it lets anyone
 * subscribe to the channel of a live session, and only to that one (amplify/functions/events-authorizer).
 * Amplify re-subscribes by itself after a drop; every acknowledged subscription is reported as
 * `ready`, so the room resyncs over whatever it missed meanwhile.
 */
export function subscribeToSession(outputs: AmplifyOutputsJson, sessionId: string, handlers: BroadcastHandlers): () => void {
  configureEventApi(outputs);
  const channelName = sessionChannel(sessionId);
  const auth = { authMode: 'lambda' as const, authToken: sessionId };
  let closed = false;
  let channel: EventsChannel | undefined;
  const stopListening = Hub.listen('api', ({ payload }) => {
    const data = payload.data as { query?: string; connectionState?: string } | undefined;
    if (closed) return;
    if (payload.event === SUBSCRIPTION_ACK && data?.query === channelName) handlers.ready();
    if (payload.event === CONNECTION_STATE_CHANGE && DISRUPTED.has(data?.connectionState ?? '')) handlers.interrupted();
  });
  const report = (error: unknown) => {
    if (closed) return;
    const reason = describe(error);
    if (/Unauthorized/i.test(reason)) handlers.refused(reason);
    else handlers.failed(reason);
  };
  events.connect(channelName, auth).then((connected) => {
    if (closed) return void connected.close();
    channel = connected;
    connected.subscribe({ next: (data: { event?: unknown }) => !closed && handlers.message(data.event), error: report }, auth);
  }, report);
  return () => {
    closed = true;
    stopListening();
    void channel?.close();
  };
}

/** Adds the Event API to Amplify's configuration unless the signed-in part of the app already did. */
function configureEventApi(outputs: AmplifyOutputsJson) {
  const current = Amplify.getConfig();
  if (current.API?.Events) return;
  const { API } = parseAmplifyConfig(outputs as unknown as Parameters<typeof parseAmplifyConfig>[0]);
  if (!API?.Events) throw new Error('amplify_outputs.json has no Event API (custom.events).');
  Amplify.configure({ ...current, API: { ...current.API, Events: API.Events } });
}

function describe(error: unknown): string {
  const errors = (error as { errors?: Array<{ message?: string }> } | undefined)?.errors;
  if (errors?.length) return errors.map((e) => e.message ?? '').join('; ');
  return error instanceof Error ? error.message : String(error);
}
