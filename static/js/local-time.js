// Deadlines are written in the practice's time zone; a reader elsewhere also
// sees the moment in their own zone, when it differs.
(function () {
  "use strict";
  var own;
  try { own = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  document.querySelectorAll("time[data-practice-zone]").forEach(function (node) {
    if (!own || own === node.dataset.practiceZone) return;
    var moment = new Date(node.getAttribute("datetime"));
    if (isNaN(moment)) return;
    var text = moment.toLocaleString(undefined, {
      day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    var mine = document.createElement("span");
    mine.className = "reader-time";
    mine.textContent = " (your time: " + text + ")";
    node.insertAdjacentElement("afterend", mine);
  });
})();
