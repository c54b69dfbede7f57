// refnotes serve: reload the page once the site has been rebuilt (a vault file changed, or a form was sent).
// The server bumps /_refnotes/version after each rebuild that changed a page; the page says the version it
// was served at. A page whose form is being filled in waits until the field is left.
(function () {
  "use strict";
  var served = document.getElementById("refnotes-served");
  var seen = served ? served.getAttribute("data-version") : null;
  var stale = false;

  function busy() {
    var el = document.activeElement;
    return el && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function reloadWhenIdle() {
    if (busy()) {
      stale = true;
      return;
    }
    window.location.reload();
  }

  document.addEventListener("focusout", function () {
    if (stale) setTimeout(reloadWhenIdle, 50);
  });

  function poll() {
    fetch("/_refnotes/version", { cache: "no-store", credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (version) {
        if (version === null) return;
        if (seen === null) seen = version;
        else if (version.trim() !== seen) reloadWhenIdle();
      })
      .catch(function () { /* the server stopped or restarts: try again */ })
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
