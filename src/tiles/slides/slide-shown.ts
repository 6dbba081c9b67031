/** Fired (bubbling) on a slides tile's canvas each time a page is on screen, with `{deckId, page}`: for benchmarks and tests. */
export const SLIDE_SHOWN_EVENT_NAME = 'streamcanvas:slide-shown';
