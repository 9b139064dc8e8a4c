// The publish page's "After publishing" box follows the work done after the
// commit (cards drawn, the WordPress copy) without a reload, until all is done.
(function () {
  "use strict";
  var box = document.getElementById("after-publish");
  if (!box || !window.fetch) return;

  function describe(job) {
    return job.state + (job.reason ? ": " + job.reason : "");
  }

  function show(state) {
    var cards = box.querySelector('[data-progress="cards"]');
    if (cards && state.cards) {
      cards.textContent = state.cards.drawn + " of " + state.cards.total + " drawn" + (state.cards.done ? " — all ready" : "");
    }
    ["static_files", "wordpress"].forEach(function (name) {
      var field = box.querySelector('[data-progress="' + name + '"]');
      if (field && state[name]) field.textContent = describe(state[name]);
    });
  }

  function busy(state) {
    return (state.cards && !state.cards.done) ||
      ["static_files", "wordpress"].some(function (name) { return state[name] && state[name].state === "waiting"; });
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        show(state);
        if (busy(state)) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  poll();
})();
