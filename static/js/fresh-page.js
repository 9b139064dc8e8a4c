// A page the browser shows from its back/forward cache is as it was when left:
// an old error, an old word count beside newer text. Ask the server again.
(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
})();
