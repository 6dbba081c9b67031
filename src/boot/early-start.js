// Runs inline in index.html, before the app's JavaScript has even downloaded (vite.config.ts
// puts it there). Plain JavaScript on purpose: it is not bundled. It starts what a page needs
// from the network at once, in parallel with the app's download:
// - the runtime config (/amplify_outputs.json), which src/config/load.ts then takes from here;
// - then the app's own modules (the build moves their preloads here, behind the config: see vite.config.ts);
// - on a viewer page, the chunks of the viewer route, and the room's socket with its `sync`,
//   whose messages are kept for src/realtime/early-socket.ts to hand to the room (at once when
//   this browser remembers the socket's address from an earlier visit, else after the config).
(function () {
  var SOCKET_BASE_KEY = 'streamcanvas:webSocketUrl';
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
  if (typeof WebSocket !== 'function') return;
  // The socket's address comes from the config; a returning viewer's browser remembers it, so
  // the socket opens now instead of after the config's round trip. The config still decides:
  // if it names another address (a redeploy), that socket replaces this one.
  var remembered;
  try {
    remembered = localStorage.getItem(SOCKET_BASE_KEY);
  } catch (error) {
    remembered = null;
  }
  if (remembered && /^wss?:/.test(remembered)) open(remembered);
  if (!boot.config) return;
  boot.config
    .then(function (response) {
      return response.ok ? response.clone().json() : undefined;
    })
    .then(function (outputs) {
      var base = outputs && outputs.custom && outputs.custom.webSocketUrl;
      if (typeof base !== 'string' || !/^wss?:/.test(base)) return;
      try {
        localStorage.setItem(SOCKET_BASE_KEY, base);
      } catch (error) {
        // private mode or storage full: the next visit waits for the config again
      }
      if (boot.taken || (boot.socket && boot.socket.base === base)) return;
      if (boot.socket) boot.socket.socket.close();
      open(base);
    })
    .catch(function () {});

  function open(base) {
    var url = base + '?' + new URLSearchParams({ sessionId: watch[1] });
    var socket = new WebSocket(url);
    var early = (boot.socket = { base: base, url: url, socket: socket, syncSent: false });
    boot.messages = [];
    socket.onopen = function () {
      socket.send(JSON.stringify({ v: 1, action: 'sync', clientTime: Date.now() }));
      early.syncSent = true;
    };
    socket.onmessage = function (event) {
      if (boot.socket === early) boot.messages.push(event);
    };
  }
})();
