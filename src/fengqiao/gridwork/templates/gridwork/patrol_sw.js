/* The patrol app's service worker (scope: the app's page).  It keeps the app shell and the last plan, so the
   page opens and shows the plan without a network; visits are kept by the page itself (IndexedDB outbox) and
   sent by it, so nothing here ever replays a POST. */
"use strict";

var VERSION = "{{ version }}";
var SHELL = "patrol-shell-" + VERSION;
var DATA = "patrol-data";
var PAGE = "{{ page }}";
var PLAN = "{{ plan }}";
var ASSETS = {{ assets|safe }};

function keep(cacheName, url, response) {
  // a page that redirected (to the login page) or failed is not the app: never cache it
  if (!response || !response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  return caches.open(cacheName).then(function (cache) { return cache.put(url, response); });
}

function fetchAndKeep(cacheName, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" })
    .then(function (response) { return keep(cacheName, url, response); })
    .catch(function () { /* offline while installing: the page will come again */ });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return Promise.all([fetchAndKeep(SHELL, PAGE), fetchAndKeep(DATA, PLAN)]); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("patrol-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// network first, the kept copy when the network fails (or the server does)
function networkFirst(request, cacheName, key) {
  return fetch(request).then(function (response) {
    if (response.status >= 500) {
      return caches.match(key, { ignoreSearch: true }).then(function (cached) { return cached || response; });
    }
    return keep(cacheName, key, response.clone()).then(function () { return response; });
  }, function () {
    return caches.match(key, { ignoreSearch: true }).then(function (cached) {
      return cached || new Response(JSON.stringify({ error: "offline", detail: "offline" }), {
        status: 503, headers: { "Content-Type": "application/json" }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(networkFirst(request, SHELL, PAGE));
  } else if (url.pathname === PLAN) {
    event.respondWith(networkFirst(request, DATA, PLAN));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
