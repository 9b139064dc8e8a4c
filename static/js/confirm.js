// Buttons that cannot be undone (withdraw, unpublish, deactivate) ask first.
// Without JavaScript they post straight away, as the server expects.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    // Older browsers lack event.submitter; these forms hold one button anyway.
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    if (!button || !button.dataset.confirm) return;
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
