// Runs inline in index.html, before the app's JavaScript has even downloaded (vite.config.ts
// puts it there). Plain JavaScript on purpose: it is not bundled. It starts what a page needs
// from the network at once, in parallel with the app's download:
// - the runtime config (/amplify_outputs.json), which src/config/load.ts then takes from here;
// - then the app's own modules (the build moves their preloads here, behind the config: see vite.config.ts);
// - on a viewer page, the chunks of the viewer route, and the room's socket with its `sync`,
//   whose messages are kept for src/realtime/early-socket.ts to hand to the room.
(function () {
  var boot = (window.__streamcanvasBoot = { messages: [] });
  var assets = window.__streamcanvasRouteAssets || {};
  var preload = function (href) {
    var link = document.createElement('link');
    if (/\.css$/.test(href)) {
      link.rel = 'preload';
      link.as = 'style';
    } else {
      link.rel = 'modulepreload';
    }
    // As Vite requests them (crossorigin), or the browser fetches each file a second time.
    link.crossOrigin = 'anonymous';
    link.href = href;
    document.head.appendChild(link);
  };
  try {
    boot.config = fetch('/amplify_outputs.json', { cache: 'no-store', headers: { accept: 'application/json' } });
    boot.config.catch(function () {});
  } catch (error) {
    boot.config = undefined;
  }
  (assets.entry || []).forEach(preload);
  var watch = /^\/watch\/([0-9a-fA-F-]{36})\/?$/.exec(location.pathname);
  if (!watch) return;
  (assets.watch || []).forEach(preload);
  if (!boot.config || typeof WebSocket !== 'function') return;
  boot.config
    .then(function (response) {
      return response.ok ? response.clone().json() : undefined;
    })
    .then(function (outputs) {
      var base = outputs && outputs.custom && outputs.custom.webSocketUrl;
      if (typeof base !== 'string' || !/^wss?:/.test(base)) return;
      var url = base + '?' + new URLSearchParams({ sessionId: watch[1] });
      var socket = new WebSocket(url);
      boot.socket = { url: url, socket: socket, syncSent: false };
      socket.onopen = function () {
        socket.send(JSON.stringify({ v: 1, action: 'sync', clientTime: Date.now() }));
        boot.socket.syncSent = true;
      };
      socket.onmessage = function (event) {
        boot.messages.push(event);
      };
    })
    .catch(function () {});
})();
