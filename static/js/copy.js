// "Copy" buttons put the text of a field on the clipboard, so an editor can
// paste an invitation link or an export without selecting by hand.
(function () {
  "use strict";

  function copyBySelecting(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  function confirmCopy(button, copied) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = copied ? "Copied" : "Press Ctrl+C (⌘C) to copy";
    var note = document.getElementById(button.dataset.copyTarget + "-copied");
    if (note) note.textContent = copied ? "Copied to the clipboard." : "";
    window.setTimeout(function () { button.textContent = original; }, 2500);
  }

  document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field) return;
    // A polite live region beside the button tells screen readers it worked.
    var note = document.createElement("span");
    note.id = button.dataset.copyTarget + "-copied";
    note.className = "visually-hidden";
    note.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", note);

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { confirmCopy(button, true); },
          function () { confirmCopy(button, copyBySelecting(field)); }
        );
      } else {
        confirmCopy(button, copyBySelecting(field));
      }
    });
  });
})();
