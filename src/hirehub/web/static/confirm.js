// A form with data-confirm="…" asks before it is sent: the browser's own dialog, the question in the attribute.
// One handler for every page (Terminate, Rescind, time travel…): a form opts in by carrying the attribute.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
