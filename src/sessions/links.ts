/** Paths and links of the app's pages for one session. */
export const watchPath = (sessionId: string) => `/watch/${encodeURIComponent(sessionId)}`;
export const studioPath = (sessionId: string) => `/studio/${encodeURIComponent(sessionId)}`;
export const insightsPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/insights`;

/** The link a host shares with viewers: the same origin the app runs on. */
export function viewerLink(sessionId: string, origin: string = window.location.origin): string {
  return new URL(watchPath(sessionId), origin).href;
}
