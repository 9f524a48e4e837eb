// Step through a case on its diagram: a slider, buttons and arrow keys choose the step;
// the diagram marks what had completed and what was active then, also inside a called
// process (buttons, or a double click on the call activity); the panel for the step shows.
(function () {
  "use strict";
  var holder = document.getElementById("replay-diagram");
  var source = document.getElementById("replay-data");
  if (!holder || !source || typeof BpmnJS === "undefined") {
    if (holder) { holder.dataset.state = "error"; }
    return;
  }
  var data = JSON.parse(source.textContent);
  var stepText = source.dataset.stepText || "{k}";
  var slider = document.getElementById("replay-slider");
  var counter = document.getElementById("replay-counter");
  var called = document.getElementById("replay-called");
  var back = document.getElementById("replay-back");
  var processName = document.getElementById("replay-process-name");
  var viewer = new BpmnJS({ container: holder });
  var total = data.steps.length;
  var current = { step: Number(slider.value) || 1, process: data.process_id, loaded: null };
  var marked = [];
  var READABLE = 0.9;
  var READABLE_MIN = 0.6;

  function statesFor(step, processId) {
    if (processId === data.process_id) { return { completed: step.completed, active: step.active }; }
    return step.called[processId] || { completed: [], active: [] };
  }

  function mark() {
    if (current.loaded !== current.process) { return; }  // a newer diagram is on its way
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    var states = statesFor(data.steps[current.step - 1], current.process);
    [["completed", "msb-completed"], ["active", "msb-active"]].forEach(function (pair) {
      states[pair[0]].forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, pair[1]); marked.push([id, pair[1]]); }
      });
    });
    follow(states, registry, canvas);
    holder.dataset.process = current.process;
    holder.dataset.step = String(current.step);
    holder.dataset.state = "ready";
  }

  // Keep the step in view: large diagrams are unreadable when fitted, so zoom to a
  // readable scale and move to the active element when it is outside the view.
  function follow(states, registry, canvas) {
    var ids = states.active.length ? states.active : states.completed.slice(-1);
    var element = ids.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    if (!element) { return; }
    if (canvas.zoom() < READABLE_MIN) { canvas.zoom(READABLE); }
    var box = canvas.viewbox();
    var x = element.x + element.width / 2;
    var y = element.y + element.height / 2;
    var mx = box.width * 0.2, my = box.height * 0.2;  // near an edge counts as outside
    var inside = x > box.x + mx && x < box.x + box.width - mx &&
      y > box.y + my && y < box.y + box.height - my;
    if (!inside) {
      canvas.viewbox({ x: x - box.width / 2, y: y - box.height / 2, width: box.width, height: box.height });
    }
  }

  var loading = null;

  function load(processId) {
    if (loading && loading.process === processId) { return loading.promise; }
    holder.dataset.state = "loading";
    var promise = viewer.importXML(data.diagrams[processId]).then(function () {
      current.loaded = processId;
      marked = [];
      viewer.get("canvas").zoom("fit-viewport", "auto");
    });
    loading = { process: processId, promise: promise };
    return promise;
  }

  function calledButtons() {
    var step = data.steps[current.step - 1];
    called.textContent = "";
    Object.keys(step.called).forEach(function (processId) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm " + (processId === current.process ? "btn-primary" : "btn-outline-primary");
      button.dataset.process = processId;
      button.textContent = data.names[processId] || processId;
      button.addEventListener("click", function () { show(current.step, processId); });
      called.appendChild(button);
    });
  }

  function show(step, processId) {
    current.step = Math.max(1, Math.min(total, step));
    current.process = processId || current.process;
    slider.value = String(current.step);
    slider.setAttribute("aria-valuetext", stepText.replace("{k}", current.step));
    counter.textContent = current.step + " / " + total;
    document.querySelectorAll(".replay-step").forEach(function (panel) {
      panel.hidden = Number(panel.dataset.step) !== current.step;
    });
    back.hidden = current.process === data.process_id;
    processName.textContent = data.names[current.process] || current.process;
    calledButtons();
    var ready = current.loaded === current.process ? Promise.resolve() : load(current.process);
    ready.then(mark).catch(function (error) {
      holder.dataset.state = "error";
      holder.textContent = error.message;
    });
    if (window.history.replaceState) {
      window.history.replaceState(null, "", "?step=" + current.step);
    }
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  document.getElementById("replay-prev").addEventListener("click", function () { show(current.step - 1); });
  document.getElementById("replay-next").addEventListener("click", function () { show(current.step + 1); });
  document.getElementById("replay-first").addEventListener("click", function () { show(1); });
  document.getElementById("replay-last").addEventListener("click", function () { show(total); });
  back.addEventListener("click", function () { show(current.step, data.process_id); });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.target === slider || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (event.key === "ArrowLeft") { show(current.step - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { show(current.step + 1); event.preventDefault(); }
  });
  viewer.on("element.dblclick", function (event) {
    var target = event.element.businessObject && event.element.businessObject.calledElement;
    if (target && data.diagrams[target]) { show(current.step, target); }
  });
  show(current.step, data.process_id);
})();
