/**
 * pdf.js's display layer creates a DOMMatrix when it loads. In a browser (and in Node with the
 * optional @napi-rs/canvas) that exists; the deck processor's bundle has neither, and only parses
 * documents, never renders them. These stand-ins let pdf.js load; nothing calls them.
 * Imported before pdf.js (ES modules run their imports in order).
 */
const scope = globalThis as Record<string, unknown>;
class Unavailable {
  constructor() {
    // Module-level `new DOMMatrix()` in pdf.js: must not throw.
  }
}
for (const name of ['DOMMatrix', 'ImageData', 'Path2D']) scope[name] ??= Unavailable;
export {};
