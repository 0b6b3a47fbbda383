// Gatehouse's service worker. It keeps this build's app shell (the offline page, the wasm,
// JavaScript, stylesheet and icons) so the panel opens without a network.
// Static assets are answered from the cache first; pages always go to the network (they carry
// the session) and fall back to the offline page; server functions under /api/ are never
// touched, so no response carrying account data is ever stored.
const VERSION = "__VERSION__";
const CACHE = `gatehouse-shell-${VERSION}`;
const PRECACHE = __PRECACHE__;
const OFFLINE = "/offline";
const STATIC = /^\/(pkg|icons)\/|^\/(favicon\.svg|manifest\.webmanifest|sw-register\.js)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((path) => new Request(path, { cache: "reload" })))
    )
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("gatehouse-") && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

// The page asks a waiting worker to take over when the user accepts the update.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(OFFLINE).then((page) => page || Response.error())
      )
    );
    return;
  }

  if (STATIC.test(url.pathname)) {
    event.respondWith(
      caches.match(request, { ignoreVary: true }).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok && !response.headers.has("set-cookie")) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          })
      )
    );
  }
});
