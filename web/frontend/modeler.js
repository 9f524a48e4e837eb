// The process admin's pages: the BPMN/DMN modeler with validate and deploy, and the diff viewer.
// Bundled by esbuild (`npm run build`) into build/assets/, served by web/assets.py.
import BpmnModeler from "bpmn-js/lib/Modeler";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import DmnModeler from "dmn-js/lib/Modeler";
import { translateZhModule } from "./translate_zh.js";
import { centre } from "./centre.js";
import { startDiff } from "./diff.js";
import { findingText, renderFindings } from "./findings.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "dmn-js/dist/assets/dmn-js-shared.css";
import "dmn-js/dist/assets/dmn-js-drd.css";
import "dmn-js/dist/assets/dmn-js-decision-table.css";
import "dmn-js/dist/assets/dmn-js-decision-table-controls.css";
import "dmn-js/dist/assets/dmn-js-literal-expression.css";
import "dmn-js/dist/assets/dmn-font/css/dmn-embedded.css";
import "./modeler.css";

const FINDING_MARKER = "msb-finding";

function languageModules(lang) {
  return lang && lang.startsWith("zh") ? [translateZhModule] : [];
}

function csrfHeaders(root) {
  return { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf };
}

/** One editor per file: BPMN and DMN in their modelers, forms (JSON) as text. */
class Workbench {
  constructor(root) {
    this.root = root;
    this.files = {};
    this.changed = new Set(); // names of files the admin changed (only these are sent)
    this.baseline = null; // the open file as the modeler writes it before any edit
    this.current = null;
    this.findings = [];
    this.text = JSON.parse(document.getElementById("modeler-texts").textContent);
    const modules = languageModules(root.dataset.lang);
    this.bpmn = new BpmnModeler({
      container: "#bpmn-canvas",
      propertiesPanel: { parent: "#properties-panel" },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        CamundaPlatformPropertiesProviderModule,
        CamundaBehaviorsModule,
        ...modules,
      ],
      moddleExtensions: { camunda: camundaModdle },
    });
    this.dmn = new DmnModeler({
      container: "#dmn-canvas",
      common: { additionalModules: modules },
    });
    this.jsonEditor = document.getElementById("json-editor");
  }

  async load() {
    const response = await fetch(this.root.dataset.sourceUrl, { credentials: "same-origin" });
    const data = await response.json();
    this.files = data.files;
    this.main = data.main;
    this.version = data.version;
    this.renderTabs();
    const first = Object.keys(this.files).find((n) => n === data.main) || Object.keys(this.files)[0];
    await this.open(first);
    this.root.dataset.state = "ready";
  }

  renderTabs() {
    const tabs = document.getElementById("file-tabs");
    tabs.textContent = "";
    Object.keys(this.files).forEach((name) => {
      const item = document.createElement("li");
      item.className = "nav-item";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "nav-link";
      button.dataset.file = name;
      button.textContent = name;
      button.addEventListener("click", () => this.open(name));
      item.appendChild(button);
      tabs.appendChild(item);
    });
  }

  kind(name) {
    const lower = name.toLowerCase();
    if (lower.endsWith(".bpmn")) return "bpmn";
    if (lower.endsWith(".dmn")) return "dmn";
    return "json";
  }

  async written() {
    const kind = this.kind(this.current);
    if (kind === "bpmn") return (await this.bpmn.saveXML({ format: true })).xml;
    if (kind === "dmn") return (await this.dmn.saveXML({ format: true })).xml;
    return this.jsonEditor.value;
  }

  // Keep the open file's text if the admin changed it (re-serialising alone is no change).
  async keepCurrent() {
    if (!this.current) return;
    const text = await this.written();
    if (text !== this.baseline) {
      this.files[this.current] = text;
      this.baseline = text;
      this.changed.add(this.current);
    }
  }

  changedFiles() {
    const names = this.changed.size ? [...this.changed] : [this.main || this.current];
    return Object.fromEntries(names.map((name) => [name, this.files[name]]));
  }

  async open(name) {
    await this.keepCurrent();
    this.current = name;
    const kind = this.kind(name);
    document.querySelectorAll("#file-tabs .nav-link").forEach((tab) => {
      const active = tab.dataset.file === name;
      tab.classList.toggle("active", active);
      if (active) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    });
    document.getElementById("bpmn-editor").hidden = kind !== "bpmn";
    document.getElementById("dmn-canvas").hidden = kind !== "dmn";
    this.jsonEditor.hidden = kind !== "json";
    document.getElementById("json-label").hidden = kind !== "json";
    if (kind === "bpmn") {
      await this.bpmn.importXML(this.files[name]);
      this.bpmn.get("canvas").zoom("fit-viewport", "auto");
      this.markFindings();
    } else if (kind === "dmn") {
      await this.dmn.importXML(this.files[name]);
      const table = this.dmn.getViews().find((view) => view.type === "decisionTable");
      if (table) await this.dmn.open(table); // the rules, not the requirements graph
    } else {
      this.jsonEditor.value = this.files[name];
    }
    this.baseline = await this.written();
    this.root.dataset.file = name;
  }

  /** A file from the admin's computer replaces (or joins) the files being edited. */
  async importFile(file) {
    const text = await file.text();
    await this.keepCurrent();
    const isNew = !(file.name in this.files);
    this.files[file.name] = text;
    this.changed.add(file.name);
    if (isNew) this.renderTabs();
    this.current = null; // the open file was kept above; do not keep it again over the import
    try {
      await this.open(file.name);
      this.status(this.text.imported.replace("{file}", file.name), "info");
    } catch (error) {
      this.status(`${this.text.unreadable.replace("{file}", file.name)} ${error.message}`, "danger");
    }
  }

  async post(url, body) {
    await this.keepCurrent();
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: csrfHeaders(this.root),
      body: JSON.stringify({ files: this.changedFiles(), base: this.version, ...body }),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return { status: response.status, data };
  }

  status(message, kind) {
    const box = document.getElementById("modeler-status");
    box.className = `alert alert-${kind} mb-2`;
    box.textContent = message;
    box.hidden = false;
  }

  showFindings(findings) {
    this.findings = findings;
    const named = findings.map((f) => ({ ...f, name: this.elementName(f) }));
    renderFindings(document.getElementById("findings"), named, this.text, (f) => this.reveal(f));
    this.markFindings();
  }

  elementName(finding) {
    if (finding.file !== this.current || this.kind(this.current) !== "bpmn") return "";
    const element = finding.element && this.bpmn.get("elementRegistry").get(finding.element);
    return (element && element.businessObject.name) || "";
  }

  markFindings() {
    if (this.kind(this.current || "") !== "bpmn") return;
    const registry = this.bpmn.get("elementRegistry");
    const canvas = this.bpmn.get("canvas");
    const overlays = this.bpmn.get("overlays");
    overlays.remove({ type: "msb-finding" });
    registry.getAll().forEach((el) => canvas.removeMarker(el, FINDING_MARKER));
    this.findings
      .filter((f) => f.file === this.current && f.element && registry.get(f.element))
      .forEach((f) => {
        canvas.addMarker(f.element, FINDING_MARKER);
        const badge = document.createElement("span");
        badge.className = "msb-finding-badge";
        badge.title = findingText(f, this.text);
        badge.textContent = "!";
        badge.dataset.element = f.element;
        overlays.add(f.element, "msb-finding", { position: { top: -10, right: 10 }, html: badge });
      });
  }

  async reveal(finding) {
    if (finding.file && finding.file in this.files && finding.file !== this.current) {
      await this.open(finding.file);
    }
    if (this.kind(this.current) !== "bpmn" || !finding.element) return;
    const element = this.bpmn.get("elementRegistry").get(finding.element);
    if (!element) return;
    this.bpmn.get("selection").select(element);
    centre(this.bpmn.get("canvas"), element);
  }

  async validate() {
    const { status, data } = await this.post(this.root.dataset.validateUrl, {});
    const findings = data.errors || [];
    this.showFindings(findings);
    if (status === 200 && !findings.length) this.status(this.text.valid, "success");
    else if (status === 200 || status === 422) this.status(this.text.invalid, "danger");
    else this.status(data.message || this.text.failed, "danger");
  }

  async deploy(note) {
    const { status, data } = await this.post(this.root.dataset.deployUrl, { note });
    if (status === 201 || status === 200) {
      this.showFindings(data.warnings || []);
      this.status(data.message, data.created ? "success" : "info");
      if (data.created) {
        this.version = data.version;
        this.changed.clear();
      }
      this.root.dataset.deployed = String(data.version);
      return;
    }
    this.showFindings(data.errors || []);
    this.status(data.message || this.text.failed, status === 409 ? "warning" : "danger");
  }
}

function startModeler(root) {
  const bench = new Workbench(root);
  window.msbModeler = bench; // for the browser tests and the curious admin's console
  bench.load().catch((error) => {
    root.dataset.state = "error";
    bench.status(`${bench.text.failed} ${error.message}`, "danger");
  });
  document.getElementById("validate-button").addEventListener("click", () => bench.validate());
  document.getElementById("import-file").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) bench.importFile(file).finally(() => { event.target.value = ""; });
  });
  document.getElementById("deploy-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const note = document.getElementById("deploy-note");
    if (!note.value.trim()) {
      note.classList.add("is-invalid");
      note.focus();
      return;
    }
    note.classList.remove("is-invalid");
    bench.deploy(note.value.trim());
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const modeler = document.getElementById("msb-modeler");
  if (modeler) startModeler(modeler);
  const diff = document.getElementById("msb-diff");
  if (diff) startDiff(diff, NavigatedViewer);
});
