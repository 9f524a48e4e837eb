// The list of validation findings under the modeler: file, line, element and message.

/** One finding as a sentence: "closed_loop.bpmn, 第 12 行, 元素 flow_a: message". */
export function findingText(finding, text) {
  const parts = [finding.file || ""];
  if (finding.line) parts.push(text.line.replace("{line}", finding.line));
  if (finding.element) {
    const who = finding.name ? `${finding.name}（${finding.element}）` : finding.element;
    parts.push(text.element.replace("{element}", who));
  }
  const what = finding.title ? `${finding.title}：${finding.message}` : finding.message;
  return `${parts.filter(Boolean).join(" · ")}: ${what}`;
}

/** Fill `list` with one button per finding; clicking one calls `onPick(finding)`. */
export function renderFindings(list, findings, text, onPick) {
  list.textContent = "";
  findings.forEach((finding) => {
    const button = document.createElement("button");
    button.type = "button";
    const warning = finding.severity === "warning";
    button.className = `list-group-item list-group-item-action list-group-item-${warning ? "warning" : "danger"}`;
    button.dataset.element = finding.element || "";
    button.dataset.file = finding.file || "";
    button.dataset.code = finding.code || "";
    button.textContent = findingText(finding, text);
    button.addEventListener("click", () => onPick(finding));
    list.appendChild(button);
  });
  list.hidden = findings.length === 0;
}
