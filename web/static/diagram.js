// Render the case's BPMN diagram with bpmn-js and mark where the case has been and is now.
(function () {
  "use strict";
  var holder = document.getElementById("diagram");
  var source = document.getElementById("diagram-data");
  var fitButton = document.getElementById("diagram-fit");
  if (!holder || !source || typeof BpmnJS === "undefined") {
    if (holder) { holder.dataset.state = "error"; }
    return;
  }
  var data = JSON.parse(source.textContent);
  var viewer = new BpmnJS({ container: holder });
  var READABLE = 0.9;  // below ~0.6 labels are unreadable: show the current step instead

  function mark(ids, marker, registry, canvas) {
    ids.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, marker); }
    });
  }

  function focusOn(element, canvas) {
    canvas.zoom(READABLE);
    var box = canvas.viewbox();
    canvas.viewbox({
      x: element.x + element.width / 2 - box.width / 2,
      y: element.y + element.height / 2 - box.height / 2,
      width: box.width,
      height: box.height
    });
  }

  viewer.importXML(data.xml).then(function (result) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    mark(data.completed, "msb-completed", registry, canvas);
    mark(data.active, "msb-active", registry, canvas);
    canvas.zoom("fit-viewport", "auto");
    var current = data.active.map(function (id) { return registry.get(id); }).filter(Boolean);
    if (canvas.zoom() < 0.6 && current.length) { focusOn(current[0], canvas); }
    if (fitButton) {
      fitButton.hidden = false;
      fitButton.addEventListener("click", function () { canvas.zoom("fit-viewport", "auto"); });
    }
    holder.dataset.warnings = String(result.warnings.length);
    holder.dataset.state = "ready";
  }).catch(function (error) {
    holder.dataset.state = "error";
    holder.textContent = "流程图无法显示：" + error.message;
  });
})();
