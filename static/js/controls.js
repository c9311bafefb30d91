/* FocusFlow session controls on the live page: pause / resume, and answering a nudge from its feed
   item (done, snooze 5/10/15, dismiss). The forms work without this file (a POST and a redirect back);
   this sends them in place with the form's CSRF token and updates the page from the answer. The
   server words everything (the answer's text comes back rendered). Hand-written, no dependencies. */
(function () {
  "use strict";

  var controls = document.getElementById("session-controls");
  var feed = document.getElementById("feed");

  // A feed item that arrived with an update is rendered without a request, so without a token of its
  // own: every form on the page carries the same one.
  function csrfToken(data) {
    var own = data.get("csrfmiddlewaretoken");
    if (own) return own;
    var any = document.querySelector('input[name="csrfmiddlewaretoken"]');
    if (any) data.set("csrfmiddlewaretoken", any.value);
    return any ? any.value : "";
  }
  function post(form, data) {
    return fetch(form.action, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(data) },
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

  // ------------------------------------------------------------------ pause and resume
  if (controls) {
    var pauseForm = document.getElementById("pause-form");
    var resumeForm = document.getElementById("resume-form");
    var status = document.getElementById("controls-status");

    var setPaused = function (paused, body) {
      controls.setAttribute("data-paused", String(paused));
      pauseForm.hidden = paused;
      resumeForm.hidden = !paused;
      status.textContent = paused ? "Paused: no nudges and no time counted until you resume." : "Resumed.";
      // For the rest of the page (the timer): the session's paused state and minutes.
      document.dispatchEvent(new CustomEvent("focusflow:paused", { detail: { paused: paused, session: body } }));
      (paused ? resumeForm : pauseForm).querySelector("button").focus();
    };

    [pauseForm, resumeForm].forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var button = form.querySelector("button");
        button.disabled = true;
        post(form, new FormData(form)).then(function (result) {
          if (result.status === 200) {
            setPaused(form === pauseForm, result.body);
          } else {
            // A 409: already paused (or not paused) elsewhere; show the state the server holds.
            if (result.status === 409) setPaused(form === pauseForm, {});
            status.textContent = errorText(result.body);
          }
        }).catch(function () {
          status.textContent = "Couldn't reach the server; please try again.";
        }).then(function () { button.disabled = false; });
      });
    });
  }

  // ------------------------------------------------------------------ answering a nudge
  function markAnswered(eventId, text) {
    var holder = feed && feed.querySelector('[data-answer-for="' + eventId + '"]');
    if (!holder || !holder.querySelector("form")) return;
    var p = document.createElement("p");
    p.className = "feed-answered muted";
    p.textContent = text;
    holder.textContent = "";
    holder.appendChild(p);
  }

  if (feed) {
    feed.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.classList || !form.classList.contains("answer-form")) return;
      e.preventDefault();
      var submitter = e.submitter;
      var data = new FormData(form);
      if (submitter && submitter.name) data.set(submitter.name, submitter.value);
      var buttons = form.querySelectorAll("button");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      post(form, data).then(function (result) {
        var eventId = data.get("event_id");
        if (result.status === 201) {
          markAnswered(eventId, result.body.title);
        } else if (result.status === 409) {
          markAnswered(eventId, errorText(result.body));
        } else {
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        }
      }).catch(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      });
    });

    // An answer given elsewhere (another tab, the API) arrives as a feed item naming the nudge it answers.
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        records.forEach(function (record) {
          Array.prototype.forEach.call(record.addedNodes, function (node) {
            if (node.nodeType !== 1 || !node.hasAttribute("data-answers")) return;
            var title = node.querySelector(".feed-title");
            markAnswered(node.getAttribute("data-answers"), title ? title.textContent : "Answered");
          });
        });
      }).observe(feed, { childList: true });
    }
  }
})();
