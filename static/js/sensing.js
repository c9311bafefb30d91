/* FocusFlow page sensing on the live page: once per tick period (and when the page is hidden or shown
   again) an automatic ping, `source: "page"`, with two counts and nothing else:
   - activity: "active"; "idle" after 60 s without keyboard or pointer input on the visible page; "away"
     when the page has been hidden (another tab, a minimised window, a locked screen) for more than
     2 min (until then it stays what it was when hidden);
   - app_switches: how many times the page lost focus or visibility since the last ping.
   No key, position or content is read or kept: only the time of the last input and a counter.
   On by default, with a visible toggle (remembered in this browser). In a time-compressed run the
   60 s and 2 min shrink with the tick period, as the policy's own durations do. No dependencies. */
(function () {
  "use strict";

  var configEl = document.getElementById("live-config");
  var toggle = document.getElementById("sensing-toggle");
  if (!configEl || !toggle) return;
  var config = JSON.parse(configEl.textContent);
  if (!config.pingApiUrl || !config.sessionId) return;
  var statusEl = document.getElementById("sensing-status");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");

  var scale = Number(config.scale) || 1;
  var IDLE_MS = 60000 / scale;
  var AWAY_MS = 120000 / scale;
  var tickMs = Math.max(1000, (Number(config.tickSeconds) || 300) * 1000);

  var store = { get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
                set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } } };

  var on = store.get("ff-sensing") !== "off";
  var stopped = false;
  var lastInput = Date.now();
  var hiddenSince = document.hidden ? Date.now() : null;
  var away = document.hidden || !document.hasFocus();
  var switches = 0;
  var timer = null;

  // The two counts. Input only moves a timestamp; what was typed or where the pointer went is never read.
  ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"].forEach(function (type) {
    window.addEventListener(type, function () { lastInput = Date.now(); }, { passive: true, capture: true });
  });
  function noteFocus() {
    var nowAway = document.hidden || !document.hasFocus();
    if (nowAway && !away) switches += 1; // one loss of focus or visibility
    away = nowAway;
  }
  window.addEventListener("blur", noteFocus);
  window.addEventListener("focus", noteFocus);
  document.addEventListener("visibilitychange", function () {
    noteFocus();
    if (document.hidden) { hiddenSince = Date.now(); } else { hiddenSince = null; lastInput = Date.now(); }
    sense(); // a ping on every visibility change
  });

  function activity() {
    var now = Date.now();
    if (hiddenSince !== null) {
      if (now - hiddenSince > AWAY_MS) return "away";
      // Hidden for less than 2 min: no input can reach the page, so it stays as it was when hidden.
      return hiddenSince - lastInput > IDLE_MS ? "idle" : "active";
    }
    return now - lastInput > IDLE_MS ? "idle" : "active";
  }

  function say(text) { if (statusEl) statusEl.textContent = text; }
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function sense() {
    if (!on || stopped) return;
    var body = { session_id: config.sessionId, activity: activity(), app_switches: switches, source: "page" };
    var sent = switches;
    fetch(config.pingApiUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRFToken": csrfInput ? csrfInput.value : "" },
    }).then(function (response) {
      if (response.status === 201) {
        switches = Math.max(0, switches - sent);
        var d = new Date();
        say("Sensed at " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ": " + body.activity + ", " +
          body.app_switches + (body.app_switches === 1 ? " app switch." : " app switches."));
      } else if (response.status === 409 || response.status === 404) {
        stopped = true; // the session has ended
        say("");
      }
    }).catch(function () { /* offline: the next tick tries again, the counter keeps counting */ });
  }

  function schedule() {
    if (timer) { clearInterval(timer); timer = null; }
    if (!on) return;
    // The first ping at a random point of the first period: open pages do not all ping at once.
    timer = setTimeout(function () {
      sense();
      timer = setInterval(sense, tickMs);
    }, Math.random() * tickMs);
  }

  toggle.checked = on;
  toggle.addEventListener("change", function () {
    on = toggle.checked;
    store.set("ff-sensing", on ? "on" : "off");
    say(on ? "Sensing is on." : "Sensing is off: nothing is sent unless you log it yourself.");
    if (timer) { clearTimeout(timer); clearInterval(timer); timer = null; }
    if (on) schedule();
  });
  schedule();
  window.FocusFlowSensing = { activity: activity, sense: sense };
})();
