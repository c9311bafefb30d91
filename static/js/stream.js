/* FocusFlow live delivery on the live page: the session's event stream (Server-Sent Events,
   GET /focus/sessions/{id}/stream) says the moment something commits, and the page then fetches the
   rendered feed items after its last event (live.js). The connection state is shown; when streaming
   is unavailable the page polls instead, and tries the stream again now and then.
   live.js calls FocusFlowStream.start(config, hooks) with hooks.catchUp() (a promise: fetch and show
   what is new), hooks.lastEventId() and hooks.isEnded(). Hand-written, no dependencies. */
(function () {
  "use strict";

  var RETRY_STREAM_MS = 30000; // while polling, try the stream again this often
  var MAX_ERRORS_BEFORE_POLLING = 5; // EventSource reconnects by itself (after the stream's retry: delay) this many times first

  function start(config, hooks) {
    var stateEl = document.getElementById("connection-state");
    var textEl = document.getElementById("connection-text");
    var source = null;
    var pollTimer = null;
    var retryTimer = null;
    var fetching = false;
    var again = false;
    var errors = 0;
    var pollFailures = 0;

    function setState(state, text) {
      if (stateEl) stateEl.setAttribute("data-state", state);
      if (textEl) textEl.textContent = text;
    }

    // One fetch at a time; news during a fetch asks for one more after it.
    function catchUp() {
      if (fetching) { again = true; return Promise.resolve(); }
      fetching = true;
      return Promise.resolve(hooks.catchUp()).then(function () { pollFailures = 0; },
        function () { pollFailures += 1; })
        .then(function () {
          fetching = false;
          if (again) { again = false; return catchUp(); }
        });
    }

    function closeStream() {
      if (source) { source.close(); source = null; }
    }
    function stopPolling() {
      if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    }
    function finish() {
      closeStream();
      stopPolling();
      setState("ended", "Session ended");
    }

    function poll() {
      pollTimer = null;
      catchUp().then(function () {
        if (hooks.isEnded()) { finish(); return; }
        if (source) return; // the stream is back
        var delay = Math.min(30000, config.pollMs * Math.pow(2, Math.min(pollFailures, 4)));
        pollTimer = setTimeout(poll, delay);
      });
    }
    function fallBackToPolling(why) {
      closeStream();
      setState("polling", why);
      if (!pollTimer) pollTimer = setTimeout(poll, 0);
      if (!retryTimer && "EventSource" in window) {
        retryTimer = setTimeout(function () { retryTimer = null; openStream(); }, RETRY_STREAM_MS);
      }
    }

    function onMessage(e) {
      var id = Number(e.lastEventId);
      if (!(id <= hooks.lastEventId())) catchUp().then(function () { if (hooks.isEnded()) finish(); });
      if (e.type === "session_end") catchUp().then(finish);
    }

    function openStream() {
      if (hooks.isEnded()) { finish(); return; }
      if (!("EventSource" in window) || !config.streamUrl) {
        fallBackToPolling("Checking every few seconds");
        return;
      }
      closeStream();
      setState("connecting", "Connecting…");
      source = new EventSource(config.streamUrl + "?after=" + encodeURIComponent(hooks.lastEventId()));
      source.addEventListener("open", function () {
        errors = 0;
        stopPolling();
        setState("live", "Live");
        catchUp(); // whatever came while connecting (the stream replays it too; shown once)
      });
      (config.eventTypes || []).forEach(function (type) { source.addEventListener(type, onMessage); });
      source.addEventListener("error", function () {
        if (!source) return;
        if (hooks.isEnded()) { finish(); return; }
        errors += 1;
        if (source.readyState === EventSource.CLOSED) {
          // The server refused the stream (a 204 after the end, an error, a proxy that cannot stream).
          catchUp().then(function () {
            if (hooks.isEnded()) finish(); else fallBackToPolling("Live updates unavailable; checking every few seconds");
          });
          return;
        }
        if (errors >= MAX_ERRORS_BEFORE_POLLING) {
          fallBackToPolling("Live updates unavailable; checking every few seconds");
          return;
        }
        setState("reconnecting", "Reconnecting…");
      });
    }

    openStream();
    return { state: function () { return stateEl ? stateEl.getAttribute("data-state") : null; } };
  }

  window.FocusFlowStream = { start: start };
})();
