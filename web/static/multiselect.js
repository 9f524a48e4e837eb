// A searchable multi-select over a native <select multiple class="msb-multiselect">.
// The native select stays in the form and carries the values (it works without this
// script); this adds chips for the chosen names and a combobox that filters by name.
// Keyboard: type to filter (or Down to open the list), Down/Up to move, Enter to choose (or un-choose), Escape to
// close, Backspace in the empty box removes the last chosen name.
(function () {
  "use strict";
  var counter = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function enhance(select) {
    counter += 1;
    var id = select.id || ("msb-ms-" + counter);
    var removeLabel = select.dataset.removeLabel || "remove";
    var emptyLabel = select.dataset.emptyLabel || "no match";
    var wrap = el("div", "msb-ms form-control" + (select.classList.contains("is-invalid") ? " is-invalid" : ""));
    var chips = el("ul", "msb-ms-chips list-unstyled d-flex flex-wrap gap-1 mb-1");
    var input = el("input", "msb-ms-input form-control form-control-sm border-0 shadow-none px-1");
    var list = el("ul", "msb-ms-list list-group shadow-sm");
    var status = el("div", "visually-hidden");
    var active = -1;
    var shown = [];

    select.id = id + "-native";
    select.hidden = true;
    select.tabIndex = -1;
    input.id = id;
    input.type = "text";
    input.autocomplete = "off";
    input.placeholder = select.dataset.searchLabel || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.getAttribute("aria-invalid")) { input.setAttribute("aria-invalid", "true"); }
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    function options() { return Array.prototype.slice.call(select.options); }

    function renderChips() {
      chips.textContent = "";
      options().forEach(function (option) {
        if (!option.selected) { return; }
        var chip = el("li", "badge rounded-pill text-bg-primary d-inline-flex align-items-center msb-ms-chip");
        chip.appendChild(el("span", "", option.text));
        var remove = el("button", "btn-close btn-close-white ms-1 msb-ms-remove");
        remove.type = "button";
        remove.setAttribute("aria-label", removeLabel + " " + option.text);
        remove.addEventListener("click", function () { toggle(option); input.focus(); });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function renderList() {
      var query = input.value.trim().toLowerCase();
      shown = options().filter(function (o) { return o.text.toLowerCase().indexOf(query) !== -1; });
      list.textContent = "";
      if (active >= shown.length) { active = shown.length - 1; }
      shown.forEach(function (option, index) {
        var item = el("li", "list-group-item list-group-item-action msb-ms-option", option.text);
        item.id = id + "-opt-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", option.selected ? "true" : "false");
        if (option.selected) { item.classList.add("chosen"); }
        if (index === active) { item.classList.add("active"); }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { toggle(option); input.focus(); });
        list.appendChild(item);
      });
      if (!shown.length) { list.appendChild(el("li", "list-group-item text-body-secondary", emptyLabel)); }
      if (active >= 0) { input.setAttribute("aria-activedescendant", id + "-opt-" + active); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (isOpen) { renderList(); }
    }

    function toggle(option) {
      option.selected = !option.selected;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = option.text;
      input.value = "";
      renderChips();
      if (!list.hidden) { renderList(); }
    }

    input.addEventListener("input", function () { active = 0; open(true); });
    input.addEventListener("click", function () { open(true); });
    input.addEventListener("blur", function () { open(false); active = -1; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { open(true); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = Math.max(0, Math.min(shown.length - 1, active + step));
        renderList();
      } else if (event.key === "Enter") {
        if (!list.hidden && shown.length) {
          event.preventDefault();
          toggle(shown[Math.max(active, 0)]);
        }
      } else if (event.key === "Escape") {
        open(false);
      } else if (event.key === "Backspace" && input.value === "") {
        var chosen = options().filter(function (o) { return o.selected; });
        if (chosen.length) { toggle(chosen[chosen.length - 1]); }
      }
    });
    wrap.addEventListener("click", function (event) {
      if (event.target === wrap || event.target === chips) { input.focus(); }
    });

    wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select);
    renderChips();
  }

  Array.prototype.forEach.call(document.querySelectorAll("select.msb-multiselect"), enhance);
})();
