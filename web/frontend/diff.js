// The diff page: two read-only diagrams, removed elements red on the old one,
// added green and changed amber on the new one; clicking a listed element shows it.

import { centre } from "./centre.js";

const MARKERS = { added: "msb-diff-added", changed: "msb-diff-changed", removed: "msb-diff-removed" };

async function show(Viewer, container, xml, marks) {
  const viewer = new Viewer({ container });
  await viewer.importXML(xml);
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  Object.entries(marks).forEach(([kind, ids]) => {
    ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, MARKERS[kind]));
  });
  canvas.zoom("fit-viewport", "auto");
  return viewer;
}

function focus(viewer, id) {
  const element = viewer.get("elementRegistry").get(id);
  if (!element) return false;
  const canvas = viewer.get("canvas");
  centre(canvas, element);
  canvas.addMarker(id, "msb-diff-focus");
  setTimeout(() => canvas.removeMarker(id, "msb-diff-focus"), 1500);
  return true;
}

/** Draw both versions from the page's embedded JSON and wire the element list. */
export function startDiff(root, Viewer) {
  const data = JSON.parse(document.getElementById("diff-data").textContent);
  const ids = (list) => list.map((item) => item.element);
  Promise.all([
    show(Viewer, "#diff-old", data.old_xml, { removed: ids(data.removed), changed: ids(data.changed) }),
    show(Viewer, "#diff-new", data.new_xml, { added: ids(data.added), changed: ids(data.changed) }),
  ]).then(([oldViewer, newViewer]) => {
    const first = [...data.changed, ...data.added, ...data.removed][0];
    if (first) {
      focus(newViewer, first.element);
      focus(oldViewer, first.element);
    }
    root.querySelectorAll("[data-diff-element]").forEach((button) => {
      button.addEventListener("click", () => {
        const id = button.dataset.diffElement;
        const inNew = focus(newViewer, id);
        const inOld = focus(oldViewer, id);
        if (!inNew && !inOld) button.disabled = true;
      });
    });
    root.dataset.state = "ready";
  }).catch((error) => {
    root.dataset.state = "error";
    root.querySelector("[data-diff-error]").textContent = error.message;
  });
}
