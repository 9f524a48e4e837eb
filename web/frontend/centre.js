// Show one element at reading size in the middle of a bpmn-js canvas.

/** Zoom to reading size with the element in the middle of the canvas. */
export function centre(canvas, element) {
  canvas.zoom(1);
  const box = canvas.viewbox();
  const x = element.waypoints ? element.waypoints[0].x : element.x + element.width / 2;
  const y = element.waypoints ? element.waypoints[0].y : element.y + element.height / 2;
  canvas.viewbox({ x: x - box.width / 2, y: y - box.height / 2, width: box.width, height: box.height });
}
