// Tally's service worker: after one visit the wallet opens and works with no network.
//
// It keeps a copy of the app itself (the page, its hashed script, wasm and style, the
// manifest and icons) — never people's records, which live in IndexedDB and are not
// touched here. The list and the version below are filled in when the app is built
// (`cargo xtask precache`, a Trunk post-build hook), so every build is a new worker.
//
// A new version installs in the background and waits; the page offers "Reload to update",
// which tells it to take over. Records are in IndexedDB, so an update never strands them.
// The page registers the worker only once it has loaded and is idle, so filling the cache
// never competes with the first screen.

const VERSION = "__TALLY_VERSION__";
const PRECACHE = __TALLY_PRECACHE__;
const CACHE = "tally-app-" + VERSION;

// A file whose name carries its content's hash (see the server's `is_hashed`) never
// changes: an update copies it from the previous version's cache, and a first install
// takes it from the HTTP cache, where the page's own load just put it (the server lets
// browsers keep such files a year). Only what changed comes over the network, once.
// wasm-bindgen's `snippets/<crate>-<hash>/` folders are named by the crate, not by what
// is in them, so their files are asked about again like the page.
const HASHED = /-[0-9a-f]{12,16}(_bg)?\.[a-z]+$/;

async function keep(cache, path) {
  if (HASHED.test(path)) {
    const earlier = await caches.match(path);
    if (earlier) {
      await cache.put(path, earlier);
      return;
    }
    await cache.add(new Request(path, { cache: "default" }));
    return;
  }
  // The page, the manifest and the icons: asked about (a 304 when unchanged).
  await cache.add(new Request(path, { cache: "no-cache" }));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(PRECACHE.map((path) => keep(cache, path)))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("tally-app-") && key !== CACHE) {
          await caches.delete(key);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "tally:update") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  // The council API always goes to the network: the app handles being offline itself.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  // The council workspace is a separate app that needs the network: never the wallet's
  // page, and a plain page saying so when there is no connection.
  if (url.pathname === "/council" || url.pathname.startsWith("/council/")) {
    if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(() => workspaceOffline()));
    }
    return;
  }
  if (request.mode === "navigate") {
    // Every page of the wallet is the one app page.
    event.respondWith(
      caches.match("/index.html", { cacheName: CACHE }).then((page) => page || fetch(request)),
    );
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((copy) => copy || fetch(request)));
});

/** What a council workspace address shows with no connection. */
function workspaceOffline() {
  const page = `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>No connection — Tally council workspace</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<main><h1>No connection</h1>
<p>The council workspace works on the council's records, so it needs a connection.
Check your connection, then <a href="">try again</a>.</p></main></body></html>`;
  return new Response(page, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
