// The SLA heatmap: colour each element of the process diagram by its step on the scale
// (the server computed it; the colours are the CSS classes msb-heat-1..5 of the legend),
// badge it with its figure, and show an element's cases when it is clicked.
(function () {
  "use strict";
  var processPicker = document.getElementById("ph-process");
  var versionPicker = document.getElementById("ph-version");
  if (processPicker && versionPicker) {
    // another process has other version numbers: ask for its latest
    processPicker.addEventListener("change", function () { versionPicker.disabled = true; });
  }
  var holder = document.getElementById("heat-diagram");
  var source = document.getElementById("heat-data");
  if (!holder || !source || typeof BpmnJS === "undefined") {
    if (holder) { holder.dataset.state = "error"; }
    return;
  }
  var data = JSON.parse(source.textContent);
  var chosenMarker = "msb-heat-chosen";
  var current = null;

  function showCases(id, canvas, registry) {
    var list = document.querySelector('[data-cases-for="' + CSS.escape(id) + '"]');
    if (!list) { return false; }
    document.querySelectorAll("[data-cases-for]").forEach(function (el) { el.hidden = el !== list; });
    var hint = document.querySelector("[data-cases-hint]");
    if (hint) { hint.hidden = true; }
    document.querySelectorAll("tr[data-element]").forEach(function (row) {
      row.classList.toggle("heat-chosen", row.dataset.element === id);
    });
    if (canvas && registry) {
      if (current && registry.get(current)) { canvas.removeMarker(current, chosenMarker); }
      if (registry.get(id)) { canvas.addMarker(id, chosenMarker); }
    }
    current = id;
    holder.dataset.chosen = id;
    return true;
  }

  var viewer = new BpmnJS({ container: holder });
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    data.elements.forEach(function (element) {
      if (!registry.get(element.id)) { return; }
      if (element.level > 0) { canvas.addMarker(element.id, "msb-heat-" + element.level); }
      if (!element.cases) { return; }  // nothing passed it: no figure to show
      canvas.addMarker(element.id, "heat-clickable");
      var badge = document.createElement("span");
      badge.className = "heat-badge";
      badge.textContent = element.text;
      // scale.min keeps the figure readable when a wide diagram is fitted into the page
      overlays.add(element.id, { position: { top: -12, right: 12 }, scale: { min: 1 }, html: badge });
    });
    viewer.get("eventBus").on("element.click", function (event) {
      showCases(event.element.id, canvas, registry);
    });
    document.querySelectorAll("[data-show-cases]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (showCases(link.dataset.showCases, canvas, registry)) {
          event.preventDefault();
          document.getElementById("heat-cases").scrollIntoView({ block: "nearest" });
        }
      });
    });
    canvas.zoom("fit-viewport", "auto");
    var chosen = new URLSearchParams(window.location.search).get("element");
    if (chosen) { showCases(chosen, canvas, registry); }
    holder.dataset.state = "ready";
  }).catch(function (error) {
    holder.dataset.state = "error";
    holder.textContent = "流程图无法显示：" + error.message;
  });
})();
