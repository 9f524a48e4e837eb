// Audit pages: poll a background verification's progress (reload when it is done),
// and the report's print button (inline handlers are not allowed by the CSP).
(function () {
  "use strict";
  var job = document.getElementById("audit-job");
  if (job) {
    var bar = document.getElementById("audit-job-bar");
    var text = document.getElementById("audit-job-text");
    var poll = function () {
      fetch(job.dataset.progressUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          var percent = state.total ? Math.round(100 * state.done / state.total) : 0;
          bar.style.width = percent + "%";
          bar.parentNode.setAttribute("aria-valuenow", String(percent));
          text.textContent = state.done + " / " + (state.total || "…");
          if (state.finished) { window.location.assign(job.dataset.pageUrl); }
          else { window.setTimeout(poll, 500); }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }
  var print = document.getElementById("print-report");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
