/* 网格巡查 — the grid worker's patrol app.  Works offline: every visit is saved first to an outbox in the
   phone's IndexedDB (idb-keyval), with a UUID and the phone's clock, and sent when the network allows
   (on load, on the "online" event, when the page is shown again, and on a back-off timer).  The server
   answers 201 once and 200 to any replay of the same UUID, so a lost answer never doubles a visit.
   Officers on a grid team get their campaigns' target places instead of a round: a visit to one is sent
   with its campaign_id, and a place visited for its campaign shows as done.
   See docs/gridwork/patrol.md. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("patrol-config").textContent);
  var T = config.text;
  var idb = window.idbKeyval;
  var outboxStore = idb.createStore("fengqiao-patrol-outbox", "outbox");
  var cacheStore = idb.createStore("fengqiao-patrol-cache", "kv");
  var MAX_SIDE = 1600;        // photos are shrunk to this many pixels on the long side (≈0.3 MB JPEG)
  var MAX_BACKOFF = 300000;   // 5 minutes
  var RECENT_KEPT = 60;

  var state = {
    plan: null, outbox: [], recent: {}, flushing: false, retryTimer: null, attempts: 0, retryAt: 0,
    loginNeeded: false, form: null
  };

  // ---------- small helpers
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function $(selector, root) { return (root || document).querySelector(selector); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));  // without a secure context: v4 by hand
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(date) { return pad(date.getHours()) + ":" + pad(date.getMinutes()); }
  function mmdd(date) { return pad(date.getMonth() + 1) + "-" + pad(date.getDate()); }
  function midnight(date) { return new Date(date.getFullYear(), date.getMonth(), date.getDate()); }
  function parseDay(text) { var p = text.split("-"); return new Date(+p[0], +p[1] - 1, +p[2]); }
  function daysBetween(from, to) { return Math.round((midnight(to) - midnight(from)) / 86400000); }
  function addDays(date, n) { return new Date(date.getFullYear(), date.getMonth(), date.getDate() + n); }
  function sameDay(a, b) { return daysBetween(a, b) === 0; }
  function toast(text) {
    var box = $(".pt-toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 2600);
  }

  // ---------- what the phone keeps
  function loadLocal() {
    return Promise.all([idb.values(outboxStore), idb.get("recent", cacheStore), idb.get("plan", cacheStore)])
      .then(function (found) {
        state.outbox = found[0].sort(function (a, b) { return a.saved_at - b.saved_at; });
        state.recent = found[1] || {};
        if (!state.plan && found[2] && found[2].worker.username === config.user) state.plan = found[2];
      });
  }
  function mine(item) { return item.user === config.user; }
  function remember(summary) {
    state.recent[summary.client_id] = summary;
    var keys = Object.keys(state.recent).sort(function (a, b) {
      return state.recent[b].observed_at.localeCompare(state.recent[a].observed_at);
    });
    keys.slice(RECENT_KEPT).forEach(function (key) { delete state.recent[key]; });
  }
  function keyOf(placeId, campaignId) { return placeId ? placeId + (campaignId ? "-" + campaignId : "") : null; }
  function summaryOf(visit) {
    return {
      client_id: visit.client_id, user: config.user, place_id: visit.place_id, place: visit.place,
      campaign_id: visit.campaign_id || null,
      finding: visit.finding, observed_at: visit.observed_at, received_at: visit.received_at,
      case_code: visit.case ? visit.case.code : null, photos: visit.photos
    };
  }

  // ---------- the server
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { state.loginNeeded = true; throw new Error("login"); }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
  }
  function loadPlan() {
    return getJSON(config.urls.plan).then(function (plan) {
      state.plan = plan;
      state.loginNeeded = false;
      return idb.set("plan", plan, cacheStore);
    }).catch(function () { /* offline and never kept: the page says so */ }).then(render);
  }
  function loadRecent() {
    return getJSON(config.urls.visits).then(function (visits) {
      visits.forEach(function (visit) { remember(summaryOf(visit)); });
      return idb.set("recent", state.recent, cacheStore);
    }).catch(function () { /* offline: what the phone kept */ }).then(render);
  }

  // ---------- the outbox: sent oldest first, one at a time, each until the server has it
  function flush() {
    if (state.flushing) return;
    var queue = state.outbox.filter(function (i) { return mine(i) && i.state !== "rejected"; });
    if (!queue.length || !navigator.onLine) { render(); return; }
    state.flushing = true;
    clearTimeout(state.retryTimer);
    state.retryAt = 0;
    var sentAny = false;
    var next = function (index) {
      if (index >= queue.length) return Promise.resolve("done");
      return send(queue[index]).then(function (outcome) {
        if (outcome === "sent") sentAny = true;
        return outcome === "sent" || outcome === "rejected" ? next(index + 1) : outcome;
      });
    };
    next(0).then(function (outcome) {
      state.flushing = false;
      if (outcome === "retry") {
        state.attempts += 1;
        var delay = Math.min(MAX_BACKOFF, 2000 * Math.pow(2, state.attempts - 1)) * (0.8 + Math.random() * 0.4);
        state.retryAt = Date.now() + delay;
        state.retryTimer = setTimeout(flush, delay);
      } else {
        state.attempts = 0;
      }
      render();
      if (sentAny) { loadPlan(); }
    });
  }

  function send(item) {
    item.state = "sending";
    render();
    var body = new FormData();
    body.append("visit", JSON.stringify(item.visit));
    item.photos.forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
    return fetch(config.urls.visits, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.status === 200 || response.status === 201) return confirmed(item, answer);
        item.state = "pending";
        if (response.status === 401 || answer.error === "csrf_failed") { state.loginNeeded = true; return "stop"; }
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          return rejected(item, answer.detail || String(response.status));
        }
        return "retry";  // 5xx, 429: the server will be back
      });
    }, function () { item.state = "pending"; return "retry"; });  // no network after all
  }

  function confirmed(item, visit) {
    state.loginNeeded = false;
    state.outbox = state.outbox.filter(function (i) { return i.client_id !== item.client_id; });
    remember(summaryOf(visit));
    return Promise.all([idb.del(item.client_id, outboxStore), idb.set("recent", state.recent, cacheStore)])
      .then(function () { return "sent"; });
  }

  function rejected(item, detail) {
    item.state = "rejected";
    item.error = detail;
    return idb.set(item.client_id, item, outboxStore).then(function () { return "rejected"; });
  }

  // ---------- the plan, as the phone knows it (a visit kept on the phone counts at once)
  function localVisits() {
    var all = [];
    state.outbox.filter(mine).forEach(function (i) {
      if (i.state === "rejected") return;  // the server refused it: the place is not visited
      all.push({ key: keyOf(i.visit.place_id, i.visit.campaign_id), at: new Date(i.visit.observed_at), state: i.state });
    });
    Object.keys(state.recent).forEach(function (key) {
      var r = state.recent[key];
      if (r.user === config.user) {
        all.push({ key: keyOf(r.place_id, r.campaign_id), at: new Date(r.observed_at), state: "sent" });
      }
    });
    return all;
  }

  function planRows() {
    if (!state.plan) return [];
    var today = new Date();
    var latest = {};
    localVisits().forEach(function (v) {
      if (v.key && (!latest[v.key] || latest[v.key].at < v.at)) latest[v.key] = v;
    });
    return state.plan.places.map(function (place) {
      var local = latest[place.key || String(place.id)];
      var serverLast = place.last_visited_at ? new Date(place.last_visited_at) : null;
      var last = serverLast, due = parseDay(place.due_on), mark = null;
      if (local && (!serverLast || local.at > serverLast)) {
        last = local.at;
        due = addDays(local.at, place.every_days);
      }
      if (local && sameDay(local.at, today)) mark = local.state;
      if (place.campaign) due = parseDay(place.due_on);  // a campaign's target: once, by the campaign's end
      var done = !!(place.campaign && (place.last_visited_at || local));
      return { place: place, last: last, overdue: daysBetween(due, today), mark: mark, done: done };
    }).sort(function (a, b) {
      return (a.done - b.done) || b.overdue - a.overdue || a.place.name.localeCompare(b.place.name, "zh-CN");
    });
  }

  // ---------- drawing
  function render() {
    var online = navigator.onLine;
    var net = $("[data-testid=network]");
    net.textContent = online ? T.online : T.offline;
    net.className = "pt-net " + (online ? "on" : "off");

    var mineQueued = state.outbox.filter(mine);
    var waiting = mineQueued.filter(function (i) { return i.state !== "rejected"; }).length;
    var refused = mineQueued.length - waiting;
    var banner = $("[data-testid=outbox-banner]");
    banner.hidden = !mineQueued.length;
    banner.className = "pt-outbox" + (refused ? " has-rejected" : "");
    var parts = [];
    if (waiting) parts.push(fmt(state.loginNeeded ? T.queuedLogin : T.queued, { n: waiting }));
    if (refused) parts.push(fmt(T.rejectedCount, { n: refused }));
    if (state.retryAt && online) parts.push(fmt(T.retryIn, { s: Math.max(1, Math.round((state.retryAt - Date.now()) / 1000)) }));
    $(".pt-outbox-text", banner).textContent = parts.join(" · ");
    $("[data-action=flush]", banner).hidden = !waiting || !online || state.loginNeeded;

    var login = $("[data-testid=login-needed]");
    login.hidden = !state.loginNeeded;
    $("span", login).textContent = T.loginNeeded;

    renderHeader();
    showAdHoc();
    renderQueue(mineQueued);
    renderPlaces();
  }

  function renderHeader() {
    var plan = state.plan;
    var time = $("[data-testid=plan-time]");
    if (!plan) {
      time.textContent = navigator.onLine ? "" : T.planMissing;
      return;
    }
    $("[data-testid=grids]").textContent = plan.worker.name + " · " + plan.grids.map(function (g) { return g.name; }).join("、");
    var at = hhmm(new Date(plan.generated_at));
    var stale = !navigator.onLine || !sameDay(new Date(plan.generated_at), new Date());
    time.textContent = fmt(stale ? T.planOffline : T.planFrom, { t: stale ? mmdd(new Date(plan.generated_at)) + " " + at : at });
    var rows = planRows();
    var today = new Date();
    $("[data-testid=stat-overdue]").textContent = rows.filter(function (r) { return !r.done && r.overdue > 0; }).length;
    $("[data-testid=stat-due]").textContent = rows.filter(function (r) { return !r.done && r.overdue === 0; }).length;
    $("[data-testid=stat-done]").textContent = localVisits().filter(function (v) { return sameDay(v.at, today); }).length;
  }

  function badge(stateName) {
    return el("span", { className: "pt-badge " + stateName, "data-testid": "badge", text: T[stateName] });
  }

  function renderQueue(queued) {
    var list = $(".pt-queue");
    list.textContent = "";
    var sent = Object.keys(state.recent).map(function (k) { return state.recent[k]; })
      .filter(function (r) { return r.user === config.user; })
      .sort(function (a, b) { return b.observed_at.localeCompare(a.observed_at); }).slice(0, 8);
    queued.slice().reverse().forEach(function (item) {
      list.appendChild(queueRow(item.client_id, item.place, item.visit.finding, item.visit.observed_at,
                                item.state || "pending", item.photos.length, null, item.error));
    });
    sent.forEach(function (r) {
      list.appendChild(queueRow(r.client_id, r.place, r.finding, r.observed_at, "sent", r.photos, r.case_code, ""));
    });
    $("[data-testid=queue]").hidden = !list.children.length;
  }

  function queueRow(clientId, place, finding, observedAt, stateName, photos, caseCode, error) {
    var at = new Date(observedAt);
    var meta = [mmdd(at) + " " + hhmm(at), config.findings[finding] || finding];
    if (photos) meta.push(fmt(T.photos, { n: photos }));
    var drop = null;
    if (stateName === "rejected") {
      drop = el("button", { type: "button", className: "pt-btn small ghost pt-drop", text: T["delete"] });
      drop.addEventListener("click", function () { discard(clientId); });
    }
    return el("li", { className: "pt-queue-item " + stateName, "data-testid": "queue-item",
                      "data-state": stateName, "data-client-id": clientId }, [
      el("div", { className: "pt-queue-main" }, [
        el("div", { className: "pt-queue-top" }, [el("strong", { text: place || T.adHoc }), badge(stateName)]),
        el("span", { className: "pt-meta", text: meta.join(" · ") }),
        caseCode ? el("span", { className: "pt-case", text: fmt(T["case"], { code: caseCode }) }) : null,
        error ? el("span", { className: "pt-reason", text: error }) : null,
        drop
      ])
    ]);
  }

  function renderPlaces() {
    var list = $("[data-testid=places]");
    list.textContent = "";
    if (!state.plan) return;
    var rows = planRows();
    if (!rows.length) list.appendChild(el("li", { className: "pt-empty", text: state.plan.ad_hoc === false ? T.noPlacesOfficer : T.noPlaces }));
    rows.forEach(function (row) {
      var p = row.place;
      var status = row.done ? "done" : row.overdue > 0 ? "overdue" : row.overdue === 0 ? "due" : "ok";
      var when = row.done ? T.campaignDone : row.overdue > 0 ? fmt(T.overdue, { n: row.overdue })
        : row.overdue === 0 ? T.dueToday : fmt(T.dueIn, { n: -row.overdue });
      var meta = [p.campaign ? fmt(T.campaignUntil, { name: p.campaign.name, d: mmdd(parseDay(p.campaign.ends_on)) })
                             : fmt(T.every, { n: p.every_days }), row.last ? fmt(T.last, { d: mmdd(row.last) }) : T.never];
      var button = el("button", { type: "button", className: "pt-btn primary small", "data-action": "visit",
                                  text: T.visit });
      button.addEventListener("click", function () { openForm(p); });
      list.appendChild(el("li", { className: "pt-place " + (row.mark ? "visited" : status) + (p.campaign ? " campaign" : ""),
                                  "data-testid": "place", "data-place-id": p.id,
                                  "data-campaign-id": p.campaign ? p.campaign.id : null }, [
        el("div", { className: "pt-place-main" }, [
          el("div", { className: "pt-place-top" }, [
            el("span", { className: "pt-kind " + p.kind, text: p.kind_label }),
            el("span", { className: "pt-when " + status, text: row.done && row.mark ? T.campaignDone + " · " + T[row.mark]
                                                           : row.mark ? fmt(T.visitedLocal, { state: T[row.mark] }) : when })
          ]),
          el("strong", { className: "pt-place-name", text: p.name }),
          p.address ? el("span", { className: "pt-address", text: p.address }) : null,
          el("span", { className: "pt-meta", text: meta.join(" · ") })
        ]),
        button
      ]));
    });
  }

  function discard(clientId) {
    if (!window.confirm(T.confirmDelete)) return;
    state.outbox = state.outbox.filter(function (i) { return i.client_id !== clientId; });
    idb.del(clientId, outboxStore).then(render);
  }

  // ---------- the visit form
  var dialog = $("[data-testid=visit-form]");
  var form = $("form", dialog);

  function openForm(place) {
    form.reset();
    state.form = { place: place, fix: null, gpsError: null, photos: [], work: Promise.resolve() };
    $(".pt-sheet-kind", dialog).textContent = place
      ? [place.kind_label, place.grid].concat(place.campaign ? [place.campaign.name] : []).join(" · ") : "";
    $("#form-title").textContent = place ? place.name : T.adHoc;
    $(".pt-sheet-address", dialog).textContent = place ? place.address : "";
    if (!place) form.querySelector("input[value=issue]").checked = true;
    fillCategories();
    showReport();
    renderPhotos();
    showError("");
    locate();
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }

  function closeForm() {
    if (state.form) state.form.photos.forEach(function (p) { URL.revokeObjectURL(p.url); });
    state.form = null;
    if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
  }

  function fillCategories() {
    var select = form.elements.category;
    while (select.options.length > 1) select.remove(1);
    var groups = {};
    ((state.plan && state.plan.categories) || []).forEach(function (c) {
      var parent = select;
      if (c.group) {
        parent = groups[c.group] || (groups[c.group] = select.appendChild(el("optgroup", { label: c.group })));
      }
      parent.appendChild(el("option", { value: c.id, text: c.name }));
    });
  }

  function canReport() { return !state.plan || state.plan.can_report !== false; }
  function showReport() {
    var issue = form.elements.finding.value === "issue";
    $(".pt-report", dialog).hidden = !issue || !canReport();
    var hint = $(".pt-noreport", dialog);
    hint.textContent = T.noReport;
    hint.hidden = !issue || canReport();
  }

  function locate() {
    var current = state.form;
    var line = $("[data-testid=gps]");
    line.className = "pt-gps";
    line.textContent = T.locating;
    if (!navigator.geolocation) { gpsFailed(current, T.gpsUnavailable); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      if (state.form !== current) return;
      current.fix = { lng: position.coords.longitude, lat: position.coords.latitude,
                      accuracy: Math.round(position.coords.accuracy) };
      line.className = "pt-gps ok";
      line.textContent = fmt(T.located, { m: current.fix.accuracy });
    }, function (error) {
      gpsFailed(current, error.code === 1 ? T.gpsDenied : error.code === 3 ? T.gpsTimeout : T.gpsUnavailable);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  function gpsFailed(current, reason) {
    if (state.form !== current) return;
    current.gpsError = reason;
    var line = $("[data-testid=gps]");
    line.className = "pt-gps warn";
    line.textContent = fmt(current.place ? T.noGps : T.noGpsAdHoc, { reason: reason });
  }

  function addPhotos(files) {
    var current = state.form;
    Array.prototype.slice.call(files).forEach(function (file) {
      current.work = current.work.then(function () {
        if (current.photos.length >= config.maxPhotos) { showError(fmt(T.tooManyPhotos, { n: config.maxPhotos })); return; }
        return shrink(file).then(function (blob) {
          var ext = blob.type === "image/jpeg" ? "jpg" : (file.name.split(".").pop() || "jpg");
          current.photos.push({ blob: blob, name: "photo-" + (current.photos.length + 1) + "." + ext,
                                url: URL.createObjectURL(blob) });
          if (state.form === current) renderPhotos();
        });
      });
    });
  }

  function shrink(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.82);
      });
    }).catch(function () { return file; });  // a format the browser cannot draw: sent as it is
  }

  function renderPhotos() {
    var box = $(".pt-photos", dialog);
    box.querySelectorAll(".pt-thumb").forEach(function (n) { n.remove(); });
    var adder = $(".pt-add-photo", box);
    (state.form ? state.form.photos : []).forEach(function (photo, index) {
      var remove = el("button", { type: "button", className: "pt-thumb-remove", "aria-label": T.removePhoto, text: "×" });
      remove.addEventListener("click", function () {
        URL.revokeObjectURL(photo.url);
        state.form.photos.splice(index, 1);
        renderPhotos();
      });
      box.insertBefore(el("div", { className: "pt-thumb", "data-testid": "thumb" }, [
        el("img", { src: photo.url, alt: "" }), remove
      ]), adder);
    });
    adder.hidden = state.form && state.form.photos.length >= config.maxPhotos;
  }

  function showError(text) {
    var box = $("[data-testid=form-error]");
    box.textContent = text;
    box.hidden = !text;
  }

  function save() {
    var current = state.form;
    current.work.then(function () {
      var finding = form.elements.finding.value;
      var visit = {
        client_id: uuid(), observed_at: new Date().toISOString(), finding: finding,
        note: form.elements.note.value.trim(), place_id: current.place ? current.place.id : null,
        campaign_id: current.place && current.place.campaign ? current.place.campaign.id : null
      };
      if (finding === "issue" && !canReport()) {
        if (!visit.note) return showError(T.needNote);
      } else if (finding === "issue") {
        var title = form.elements.title.value.trim(), description = form.elements.description.value.trim();
        if (!title) return showError(T.needTitle);
        if (!description) return showError(T.needDescription);
        var category = form.elements.category.value;
        visit.report = { title: title, description: description, urgency: form.elements.urgency.value,
                         category_id: category ? +category : null };
      }
      if (current.fix) {
        visit.lng = current.fix.lng; visit.lat = current.fix.lat; visit.accuracy_m = current.fix.accuracy;
        visit.located_by = "gps";
      } else if (current.place) {
        visit.lng = current.place.lng; visit.lat = current.place.lat; visit.accuracy_m = null;
        visit.located_by = "place";
      } else {
        return showError(fmt(T.noGpsAdHoc, { reason: current.gpsError || T.locating }));
      }
      var item = {
        client_id: visit.client_id, user: config.user, saved_at: Date.now(), visit: visit, state: "pending",
        place: current.place ? current.place.name : null, error: "",
        photos: current.photos.map(function (p) { return { blob: p.blob, name: p.name }; })
      };
      return idb.set(item.client_id, item, outboxStore).then(function () {
        state.outbox.push(item);
        closeForm();
        toast(T.saved);
        render();
        flush();
      });
    });
  }

  // ---------- wiring
  form.addEventListener("change", function (event) {
    if (event.target.name === "finding") showReport();
    if (event.target.name === "photos") { addPhotos(event.target.files); event.target.value = ""; }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
  dialog.addEventListener("cancel", function () { state.form = null; });
  dialog.querySelectorAll("[data-action=cancel]").forEach(function (b) { b.addEventListener("click", closeForm); });
  $("[data-action=ad-hoc]").addEventListener("click", function () { openForm(null); });
  function showAdHoc() { $("[data-action=ad-hoc]").hidden = !!state.plan && state.plan.ad_hoc === false; }
  $("[data-action=flush]").addEventListener("click", function () { state.attempts = 0; flush(); });
  window.addEventListener("online", function () { state.attempts = 0; render(); flush(); loadPlan(); });
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
  setInterval(function () { if (state.retryAt) render(); }, 1000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.urls.sw, { scope: config.urls.scope }).catch(function () {
      /* no service worker (plain http): the app still works while the page stays open */
    });
  }
  loadLocal().then(function () {
    render();
    flush();
    return Promise.all([loadPlan(), loadRecent()]);
  });
})();
