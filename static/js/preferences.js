/* FocusFlow preferences page: ticking "Browser notifications" asks the browser for permission
   (a click is the gesture browsers want), and says when the browser refuses. The form works
   without this file; the live page reads the saved values from #focus-preferences (live.html). */
(function () {
  "use strict";
  var box = document.getElementById("id_notifications");
  var note = document.getElementById("notification-permission");
  if (!box || !note) return;

  function say(text) { note.textContent = text; note.hidden = !text; }

  function explain() {
    if (!("Notification" in window)) {
      say("This browser does not show notifications; the live page will still show nudges in its feed.");
    } else if (Notification.permission === "denied") {
      say("Your browser blocks notifications for this site; allow them in its site settings.");
    } else {
      say("");
    }
  }

  box.addEventListener("change", function () {
    if (box.checked && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().then(explain, explain);
    } else {
      explain();
    }
  });
  if (box.checked) explain();
})();
