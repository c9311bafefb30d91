/* FocusFlow: small enhancements for every page. Everything works without this file. */
(function () {
  "use strict";

  // Pages show days and clock times in the browser's own time zone (read by focus/views.py).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("ff_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "ff_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: the server's zone is used */ }

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // Charts that scroll on a phone open at their newest end (history: today is on the right).
    Array.prototype.forEach.call(document.querySelectorAll('.chart-scroll[data-scroll="end"]'), function (box) {
      box.scrollLeft = box.scrollWidth;
    });

    // Start form: quick estimate presets fill the minutes field.
    var minutes = document.getElementById("id_estimated_duration");
    var presets = Array.prototype.slice.call(document.querySelectorAll("[data-preset]"));
    function syncPresets() {
      presets.forEach(function (b) {
        b.setAttribute("aria-pressed", String(minutes && b.getAttribute("data-preset") === minutes.value));
      });
    }
    presets.forEach(function (button) {
      button.addEventListener("click", function () {
        minutes.value = button.getAttribute("data-preset");
        syncPresets();
      });
    });
    if (minutes) { minutes.addEventListener("input", syncPresets); syncPresets(); }

    // Start form: the new-task title shows only when "+ New task…" is picked.
    var task = document.getElementById("id_task");
    var newField = document.getElementById("new-task-field");
    var newTitle = document.getElementById("id_new_task_title");
    if (task && newField && newTitle) {
      var showNew = function (focus) {
        var isNew = task.value === task.getAttribute("data-new-task");
        newField.hidden = !isNew;
        newTitle.required = isNew;
        if (!isNew) newTitle.value = "";
        if (isNew && focus) newTitle.focus();
      };
      if (newTitle.value && task.value === "") task.value = task.getAttribute("data-new-task");
      task.addEventListener("change", function () { showNew(true); });
      showNew(false);
    }
  });
})();
