// The writing desk: a live word count, a draft saved to the server while the
// therapist types, and a copy in this browser until the server has that exact
// text, so a closed tab, a crash or a lost connection loses nothing.
(function () {
  "use strict";

  var form = document.getElementById("answer-form");
  var textarea = document.getElementById("body");
  if (!form || !textarea) return;

  var wordCount = document.getElementById("word-count");
  var saveState = document.getElementById("save-state");
  var storageKey = form.dataset.storageKey;
  var autosaveUrl = form.dataset.autosaveUrl;
  var autosaveOn = form.dataset.autosave !== "off";
  var wordLimit = parseInt(form.dataset.wordLimit, 10) || 0;

  var DEBOUNCE_MS = 1500;
  var RETRY_MS = 15000; // after a network failure; the local copy is safe meanwhile
  var debounceTimer = null;
  var retryTimer = null;
  var inFlight = false;
  var sendAgain = false;
  var submitting = false;

  // localStorage may be unavailable (private modes, full quota): the desk
  // still works, it only loses the safety net.
  function readStored() {
    try { return window.localStorage.getItem(storageKey); } catch (e) { return null; }
  }
  function keepLocally(text) {
    try { window.localStorage.setItem(storageKey, text); } catch (e) { /* see readStored */ }
  }
  function forgetLocally() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* see readStored */ }
  }

  // Same rule as the server's count_words: runs of non-space characters.
  function countWords(text) {
    var words = text.match(/\S+/g);
    return words ? words.length : 0;
  }

  // The count changes with every key; read out on each one it would drown the
  // writing. Screen readers hear it with the field (aria-describedby) and are
  // told only when the answer crosses the limit.
  var limitNews = null;
  if (wordCount) {
    wordCount.removeAttribute("aria-live");
    limitNews = document.createElement("p");
    limitNews.className = "visually-hidden";
    limitNews.setAttribute("role", "status");
    wordCount.insertAdjacentElement("afterend", limitNews);
  }
  var wasOver = null;

  function showWordCount() {
    if (!wordCount) return;
    var words = countWords(textarea.value);
    var text = words + (words === 1 ? " word" : " words");
    var over = Boolean(wordLimit && words > wordLimit);
    if (wordLimit) text += " of " + wordLimit;
    if (over) text += " — " + (words - wordLimit) + " over the limit";
    wordCount.textContent = text;
    wordCount.classList.toggle("over-limit", over);
    if (wasOver !== null && over !== wasOver) {
      limitNews.textContent = over
        ? "Your answer is now over the limit of " + wordLimit + " words."
        : "Your answer is within the limit of " + wordLimit + " words again.";
    }
    wasOver = over;
  }

  function say(text, kind) {
    if (!saveState) return;
    if (saveState.textContent !== text) saveState.textContent = text;
    saveState.dataset.state = kind;
  }

  function clockTime(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(date.getHours()) + ":" + two(date.getMinutes());
  }

  function scheduleAutosave(delay) {
    if (!autosaveOn || submitting) return;
    window.clearTimeout(debounceTimer);
    debounceTimer = window.setTimeout(autosave, delay);
  }

  function autosave() {
    if (!autosaveOn || submitting) return;
    if (inFlight) { sendAgain = true; return; }
    window.clearTimeout(retryTimer);
    inFlight = true;
    var sent = textarea.value;
    say("Saving…", "saving");
    fetch(autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (result.ok && result.data.saved) {
          if (textarea.value === sent) forgetLocally();
          say("Saved at " + clockTime(new Date()), "saved");
        } else {
          var reason = result.data.error ? " " + result.data.error : "";
          say("Not saved yet — kept in this browser." + reason, "unsaved");
        }
      })
      .catch(function () {
        say("Not saved yet — kept in this browser. We will try again shortly.", "unsaved");
        retryTimer = window.setTimeout(autosave, RETRY_MS);
      })
      .then(function () {
        inFlight = false;
        if (sendAgain || textarea.value !== sent) {
          sendAgain = false;
          scheduleAutosave(DEBOUNCE_MS);
        }
      });
  }

  function restoreEarlierText(stored) {
    var serverText = textarea.value;
    textarea.value = stored;
    var notice = document.createElement("div");
    notice.className = "notice restored";
    notice.id = "restored-notice";
    notice.setAttribute("role", "status");
    var message = document.createElement("p");
    message.textContent = "We restored text you wrote earlier that had not reached the server yet.";
    notice.appendChild(message);
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "secondary";
    undo.textContent = "Use the version saved on the server instead";
    undo.addEventListener("click", function () {
      textarea.value = serverText;
      keepLocally(serverText);
      showWordCount();
      notice.remove();
      textarea.focus();
      scheduleAutosave(0);
    });
    notice.appendChild(undo);
    form.insertBefore(notice, form.querySelector(".field"));
  }

  textarea.addEventListener("input", function () {
    keepLocally(textarea.value);
    showWordCount();
    if (autosaveOn) {
      say("Not saved yet — kept in this browser.", "unsaved");
      scheduleAutosave(DEBOUNCE_MS);
    } else {
      say("Kept in this browser until you press “Save changes”.", "unsaved");
    }
  });

  // The credit and consent choices travel with the draft too.
  form.addEventListener("change", function (event) {
    if (event.target !== textarea) scheduleAutosave(DEBOUNCE_MS);
  });

  form.addEventListener("submit", function () {
    // The buttons post the whole form; an autosave racing it adds nothing.
    submitting = true;
    window.clearTimeout(debounceTimer);
    window.clearTimeout(retryTimer);
    keepLocally(textarea.value);
  });

  window.addEventListener("online", function () {
    if (readStored() !== null) scheduleAutosave(0);
  });

  // Back from the server (first visit, or after Save/Submit redirected here):
  // a stored copy equal to the page's text has arrived; a different one has
  // not. A form sent back with errors was not saved, so its copy stays.
  var stored = readStored();
  if (stored !== null && stored !== textarea.value) {
    restoreEarlierText(stored);
    if (autosaveOn) scheduleAutosave(0);
    else say("Kept in this browser until you press “Save changes”.", "unsaved");
  } else if (stored !== null && !form.querySelector(".has-error")) {
    forgetLocally();
  }
  showWordCount();
})();
