/**
 * Runs `run` once the browser has painted the next frame, so work that can wait (a client
 * library's download, a request, more DOM) does not delay what a user is about to see.
 * Hidden tabs paint no frames: a timer runs it anyway after `latestMs`. Returns a cancel.
 */
export function afterNextPaint(run: () => void, latestMs = 250): () => void {
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const once = () => {
    if (done) return;
    done = true;
    cancel();
    run();
  };
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => (timer = setTimeout(once, 0))) : undefined;
  const fallback = setTimeout(once, frame === undefined ? 0 : latestMs);
  function cancel() {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    clearTimeout(fallback);
  }
  return () => {
    done = true;
    cancel();
  };
}
