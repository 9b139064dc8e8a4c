// The ordering board, enhanced: cards are dragged (SortableJS) or moved with
// the Move up / Move down buttons without a round trip; "Save order" then posts
// the whole order with its version. Without JavaScript every move button is a
// small form that posts a full order, so the board works either way.
(function () {
  "use strict";

  var board = document.getElementById("order-board");
  var orderField = document.getElementById("order-field");
  var orderForm = document.getElementById("order-form");
  var status = document.getElementById("order-status");
  if (!board || !orderField || !orderForm) return;

  var DIRECTIONS = [
    { name: "up", label: "Move up", step: -1 },
    { name: "down", label: "Move down", step: 1 },
  ];

  function cards() {
    return Array.prototype.slice.call(board.querySelectorAll(":scope > li.quote-card"));
  }

  function creditOf(card) {
    var footer = card.querySelector("blockquote footer");
    return footer ? footer.textContent.replace(/^\s*—\s*/, "").trim() : "this quote";
  }

  // The no-JS forms carry an order computed by the server, which is stale after
  // the first client-side move; plain buttons replace them.
  function replaceMoveForms(card) {
    var holder = card.querySelector(".move");
    if (!holder) return;
    holder.textContent = "";
    DIRECTIONS.forEach(function (direction) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "move-" + direction.name;
      button.textContent = direction.label;
      button.setAttribute("aria-label", direction.label + ": quote by " + creditOf(card));
      button.addEventListener("click", function () { move(card, direction); });
      holder.appendChild(button);
    });
  }

  function refresh() {
    var all = cards();
    orderField.value = all.map(function (card) { return card.dataset.answerId; }).join(",");
    all.forEach(function (card, index) {
      card.querySelector(".move-up").disabled = index === 0;
      card.querySelector(".move-down").disabled = index === all.length - 1;
      var position = card.querySelector(".position");
      if (position) position.textContent = String(index + 1);
    });
  }

  function announce(card) {
    var all = cards();
    var position = all.indexOf(card) + 1;
    status.textContent = "Moved to position " + position + " of " + all.length + ". Save the order to keep it.";
    orderForm.classList.add("unsaved");
    unsaved = true;
  }

  // Moves live only in this page until saved: leaving asks first.
  var unsaved = false;
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = "";
  });
  orderForm.addEventListener("submit", function () { unsaved = false; });

  function move(card, direction) {
    var all = cards();
    var index = all.indexOf(card);
    var target = all[index + direction.step];
    if (!target) return;
    if (direction.step < 0) board.insertBefore(card, target);
    else board.insertBefore(target, card);
    refresh();
    // Focus travels with the card; at either end the other button takes it,
    // because a disabled button cannot hold focus.
    var same = card.querySelector(".move-" + direction.name);
    var other = card.querySelector(".move-" + (direction.step < 0 ? "down" : "up"));
    (same.disabled ? other : same).focus();
    announce(card);
    card.classList.add("just-moved");
    window.setTimeout(function () { card.classList.remove("just-moved"); }, 600);
  }

  cards().forEach(replaceMoveForms);
  board.classList.add("is-enhanced");
  refresh();

  if (window.Sortable) {
    window.Sortable.create(board, {
      handle: ".handle",
      draggable: "li.quote-card",
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150,
      ghostClass: "is-ghost",
      chosenClass: "is-chosen",
      onEnd: function (event) {
        refresh();
        if (event.oldIndex !== event.newIndex) announce(event.item);
      },
    });
  }

  // A 409 page comes back with the conflict at the top; make sure it is seen.
  var problem = document.querySelector("main .notice[role=alert], main .error[role=alert]");
  if (problem) {
    problem.setAttribute("tabindex", "-1");
    problem.focus();
  }
})();
