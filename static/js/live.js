/* FocusFlow live session: the timer, the nudge feed (polling the dashboard's feed endpoint with ?after=),
   quick pings without a reload, opt-in notifications and a gentle sound. Hand-written, no
   dependencies. The server renders the page complete; this file only keeps it live. */
(function () {
  "use strict";

  var configEl = document.getElementById("live-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var $ = function (id) { return document.getElementById(id); };

  var feed = $("feed");
  var feedEmpty = $("feed-empty");
  var feedStatus = $("feed-status");
  var lastCheck = $("last-check");
  var flowIndicator = $("flow-indicator");
  var lastEventId = config.lastEventId || 0;
  var ended = false;
  var seen = {};
  Array.prototype.forEach.call(feed.querySelectorAll("[data-event-id]"), function (li) {
    seen[li.getAttribute("data-event-id")] = true;
  });

  // ------------------------------------------------------------------ timer (session minutes)
  var startedAt = Date.parse(config.startedAt);
  var skew = Date.parse(config.serverNow) - Date.now(); // server clock minus ours
  var scale = Number(config.scale) || 1;
  var estimateMs = config.estimate * 60000;
  var baseTitle = document.title;

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }
  function minutesText(min) {
    min = Math.max(0, Math.round(min));
    if (min < 60) return min + " min";
    var h = Math.floor(min / 60), r = min % 60;
    return r ? h + " h " + r + " min" : h + " h";
  }
  // Paused time counts in no duration: the timer stands still while paused and leaves closed pauses
  // out (pausedMs); static/js/controls.js announces a pause or resume with "focusflow:paused".
  var pausedMs = Number(config.pausedMs) || 0;
  var pauseStart = config.pausedAt ? Date.parse(config.pausedAt) : null;
  document.addEventListener("focusflow:paused", function (e) {
    var now = Date.now() + skew;
    if (e.detail.paused && pauseStart === null) pauseStart = now;
    if (!e.detail.paused && pauseStart !== null) { pausedMs += now - pauseStart; pauseStart = null; }
  });
  function sessionElapsed() {
    return ((pauseStart !== null ? pauseStart : Date.now() + skew) - pausedMs - startedAt) * scale;
  }

  function tickTimer() {
    var elapsed = sessionElapsed();
    var leftMin = (estimateMs - elapsed) / 60000;
    $("timer-elapsed").textContent = clock(elapsed);
    var remaining = $("timer-remaining");
    var over = leftMin <= -0.5;
    remaining.textContent = leftMin >= 0.5 ? minutesText(leftMin) + " left of " + config.estimate
      : (over ? minutesText(-leftMin) + " past your estimate" : "Right at your estimate");
    remaining.classList.toggle("over", over);
    var bar = $("timer-bar");
    bar.value = Math.min(100, 100 * elapsed / estimateMs);
    bar.parentNode.classList.toggle("over", over);
    // "Ending early" only once the person has asked to end (the End panel is open).
    var early = elapsed < estimateMs;
    $("early-note").hidden = !early || ended || endPanel.hidden;
    $("early-detail").textContent = "You're at " + Math.floor(elapsed / 60000) + " of " + config.estimate +
      " minutes; the summary will note it.";
    if (!ended) document.title = clock(elapsed) + " · " + baseTitle;
    tickNextCheck();
  }

  // ------------------------------------------------------------------ countdown to the next check
  // Ticks are due on the server's cadence (next_tick_at); the countdown shows session time, as
  // the timer does, and waits for the sweep once the due time has passed.
  var nextCheck = $("next-check");
  var nextCheckAt = config.nextCheckAt ? Date.parse(config.nextCheckAt) : null;
  var tickMs = (Number(config.tickSeconds) || 300) * 1000;
  function tickNextCheck() {
    if (!nextCheck) return;
    if (nextCheckAt === null || ended) { nextCheck.hidden = true; return; }
    nextCheck.hidden = false;
    var left = (nextCheckAt - (Date.now() + skew)) * scale;
    nextCheck.textContent = left > 1000 ? "Next check in " + clock(left) : "Next check any moment";
  }
  function checked(event) { // a tick, nudge or break just ran: the next one is a period later
    var at = event.ts ? Date.parse(event.ts) : Date.now() + skew;
    if (!isNaN(at)) nextCheckAt = at + tickMs;
  }

  // ------------------------------------------------------------------ End, on demand
  // The End form opens from one button near the timer; without JavaScript it is simply shown.
  var endPanel = $("end-panel");
  var endOpen = $("end-open");
  var endCancel = $("end-cancel");
  function setEndOpen(open) {
    endPanel.hidden = !open;
    endOpen.hidden = open;
    endOpen.setAttribute("aria-expanded", String(open));
    endCancel.hidden = !open;
  }
  setEndOpen(false);
  endOpen.addEventListener("click", function () {
    setEndOpen(true);
    tickTimer();
    $("id_completion").focus();
  });
  endCancel.addEventListener("click", function () {
    setEndOpen(false);
    tickTimer();
    endOpen.focus();
  });
  tickTimer();
  var timerHandle = setInterval(tickTimer, 1000);

  // ------------------------------------------------------------------ feed items
  // The server renders every feed item (focus.dashboard.feed, templates/focus/_feed_item.html), for
  // the first page and for each update: this script only inserts them, so it words nothing itself.
  function timeOf(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function addToFeed(event) {
    var key = String(event.id);
    if (seen[key] || !event.html) return null;
    seen[key] = true;
    var holder = document.createElement("template");
    holder.innerHTML = event.html.trim(); // server-rendered and escaped by the template
    var li = holder.content.firstElementChild;
    if (!li) return null;
    li.setAttribute("data-arrived-at", String(Date.now())); // when it reached the page (live delivery's test)
    feed.insertBefore(li, feed.firstChild);
    refreshEmpty();
    return { title: event.title, message: event.message };
  }

  // The feed shows what the person said too (their check-ins, and a desktop agent's); they can hide them.
  var pingsToggle = $("pings-toggle");
  var showPings = true;
  function refreshEmpty() {
    var selector = showPings ? ".feed-item" : ".feed-item:not(.type-ping)";
    feedEmpty.hidden = feed.querySelector(selector) !== null;
  }
  function setShowPings(on) {
    showPings = on;
    feed.classList.toggle("hide-pings", !on);
    pingsToggle.hidden = false;
    pingsToggle.setAttribute("aria-pressed", String(on));
    pingsToggle.textContent = on ? "Hide your check-ins" : "Show your check-ins";
    refreshEmpty();
  }

  function setFlow(inFlow) {
    flowIndicator.hidden = !inFlow;
    flowIndicator.setAttribute("data-in-flow", String(inFlow));
  }

  function sessionEnded() {
    if (ended) return;
    ended = true;
    clearInterval(timerHandle);
    document.title = baseTitle;
    $("ended-banner").hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll("#ping-form button, #distracted-form button, #end-form button"),
      function (b) { b.disabled = true; });
    endOpen.disabled = true;
    $("early-note").hidden = true;
    tickNextCheck();
  }

  // ------------------------------------------------------------------ notifications and sound
  var notifyToggle = $("notify-toggle");
  var soundToggle = $("sound-toggle");
  var store = { get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
                set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } } };
  setShowPings(store.get("ff-pings") !== "off");
  pingsToggle.addEventListener("click", function () {
    setShowPings(!showPings);
    store.set("ff-pings", showPings ? "on" : "off");
  });
  var notifyOn = false;
  var soundOn = store.get("ff-sound") === "on";
  var audio = null;

  function showToggle(button, on, onText, offText) {
    button.hidden = false;
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? onText : offText;
  }
  if ("Notification" in window) {
    notifyOn = store.get("ff-notify") === "on" && Notification.permission === "granted";
    showToggle(notifyToggle, notifyOn, "Notifications on", "Notifications off");
    notifyToggle.addEventListener("click", function () {
      if (notifyOn) {
        notifyOn = false;
        store.set("ff-notify", "off");
        showToggle(notifyToggle, false, "Notifications on", "Notifications off");
        return;
      }
      Promise.resolve(Notification.requestPermission()).then(function (permission) {
        notifyOn = permission === "granted";
        store.set("ff-notify", notifyOn ? "on" : "off");
        showToggle(notifyToggle, notifyOn, "Notifications on", "Notifications off");
        if (permission === "denied") feedStatus.textContent = "Notifications are blocked in this browser's settings.";
      });
    });
  }
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (AudioCtx) {
    showToggle(soundToggle, soundOn, "Sound on", "Sound off");
    soundToggle.addEventListener("click", function () {
      soundOn = !soundOn;
      store.set("ff-sound", soundOn ? "on" : "off");
      showToggle(soundToggle, soundOn, "Sound on", "Sound off");
      if (soundOn) chime(); // a preview, and browsers allow audio only after a click
    });
  }
  function chime() {
    try {
      audio = audio || new AudioCtx();
      if (audio.state === "suspended") audio.resume();
      [523.25, 659.25].forEach(function (freq, i) { // two soft sine notes, C5 then E5
        var start = audio.currentTime + i * 0.22;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.06, start + 0.04);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.9);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 1);
      });
    } catch (e) { /* audio unavailable */ }
  }
  function announce(item, event) {
    if (soundOn && AudioCtx) chime();
    if (notifyOn && document.hidden && "Notification" in window && Notification.permission === "granted") {
      try { new Notification("FocusFlow · " + item.title, { body: item.message, tag: "ff-" + event.id }); }
      catch (e) { /* some browsers allow notifications only from a service worker */ }
    }
  }

  // ------------------------------------------------------------------ polling the events API
  var failures = 0;
  function handle(events) {
    // The feed endpoint answers oldest first, each event with its item rendered and its words.
    events.forEach(function (event) {
      if (event.id > lastEventId) lastEventId = event.id;
      var type = event.event_type;
      if (event.last_check) lastCheck.textContent = event.last_check;
      if (type === "tick" || type === "nudge" || type === "break") checked(event);
      if (type === "tick") return;
      var item = addToFeed(event);
      if ((type === "nudge" || type === "break") && item) announce(item, event);
      if (type === "flow_start") setFlow(true);
      if (type === "flow_end") setFlow(false);
      if (type === "session_end") sessionEnded();
    });
  }
  function fetchFeed() {
    var url = config.feedUrl + "?after=" + encodeURIComponent(lastEventId);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          throw new Error("signed-out");
        }
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (body) {
        failures = 0;
        if (feedStatus.textContent.indexOf("Reconnecting") === 0) feedStatus.textContent = "";
        handle(body.events || []);
      })
      .catch(function (error) {
        failures += 1;
        feedStatus.textContent = error.message === "signed-out"
          ? "You've been signed out. Reload the page to sign in again."
          : "Reconnecting… (new nudges will show up once the server answers)";
        throw error;
      });
  }
  function poll() {
    fetchFeed().catch(function () { /* shown in feed-status */ }).then(function () {
      if (ended) return;
      // Back off gently while the server does not answer (3 s, 6 s, … at most 30 s).
      setTimeout(poll, Math.min(30000, config.pollMs * Math.pow(2, Math.min(failures, 4))));
    });
  }
  // Live delivery (stream.js): the event stream says when something commits and the feed is fetched
  // then; without it the page polls as before.
  if (window.FocusFlowStream) {
    window.FocusFlowStream.start(config, {
      catchUp: fetchFeed,
      lastEventId: function () { return lastEventId; },
      isEnded: function () { return ended; },
    });
  } else {
    setTimeout(poll, config.pollMs);
  }

  // ------------------------------------------------------------------ pings without a reload
  function bindSlider(input) {
    var out = document.querySelector('output[for="' + input.id + '"]');
    input.setAttribute("aria-valuetext", input.value + "%");
    if (input.getAttribute("data-unset") === "true") input.setAttribute("aria-valuetext", "not set");
    input.addEventListener("input", function () {
      input.setAttribute("data-touched", "true");
      input.removeAttribute("data-unset");
      input.setAttribute("aria-valuetext", input.value + "%");
      if (out) out.textContent = input.value + "%";
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[type="range"]'), bindSlider);

  function post(form, data) {
    return fetch(form.action, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { Accept: "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; },
        function () { return { status: response.status, body: {} }; });
    });
  }
  function errorText(body) {
    var errors = body && body.errors;
    if (errors) {
      var first = Object.keys(errors)[0];
      return errors[first][0];
    }
    return (body && body.detail) || "That didn't go through; please try again.";
  }

  var pingForm = $("ping-form");
  var pingStatus = $("ping-status");

  // Post a ping form; on 201 show the event in the feed and let `onLogged` say so.
  function sendPing(form, data, button, onLogged) {
    button.disabled = true;
    post(form, data).then(function (result) {
      if (result.status === 201) {
        addToFeed(result.body);
        pingStatus.classList.remove("is-error");
        onLogged(result.body);
      } else {
        pingStatus.classList.add("is-error");
        pingStatus.textContent = errorText(result.body);
        if (result.status === 409) sessionEnded();
      }
    }).catch(function () {
      pingStatus.classList.add("is-error");
      pingStatus.textContent = "Couldn't reach the server; please try again.";
    }).then(function () { if (!ended) button.disabled = false; });
  }

  pingForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData(pingForm);
    // Only what the person actually set: an untouched slider is not a reading.
    ["energy", "stress", "focus"].forEach(function (name) {
      if (pingForm.elements[name].getAttribute("data-touched") !== "true") data.delete(name);
    });
    if (!data.has("energy") && !data.has("stress") && !data.has("focus") && !String(data.get("note") || "").trim()) {
      pingStatus.classList.add("is-error");
      pingStatus.textContent = "Move a slider or write a note first.";
      return;
    }
    sendPing(pingForm, data, pingForm.querySelector("button[type=submit]"), function (event) {
      pingStatus.textContent = "Logged at " + timeOf(event.ts) + ".";
      pingForm.elements.note.value = "";
      Array.prototype.forEach.call(pingForm.querySelectorAll('input[type="range"]'), function (input) {
        input.removeAttribute("data-touched");
      });
    });
  });

  var distracted = $("distracted-form");
  distracted.addEventListener("submit", function (e) {
    e.preventDefault();
    sendPing(distracted, new FormData(distracted), distracted.querySelector("button"), function () {
      pingStatus.textContent = "Noted. Take a breath, then pick the thread back up.";
    });
  });
})();
