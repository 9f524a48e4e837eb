// The public submission form: the window list follows the chosen tier. Without this
// script every window is listed under its tier and the server refuses a window of
// another tier, with the error next to the field.
(function () {
  "use strict";
  var tier = document.getElementById("tier");
  var windows = document.getElementById("intake_unit");
  if (!tier || !windows) { return; }

  function follow() {
    var chosen = tier.value;
    var groups = windows.querySelectorAll("optgroup[data-tier]");
    for (var i = 0; i < groups.length; i += 1) {
      var off = chosen !== "" && groups[i].dataset.tier !== chosen;
      groups[i].hidden = off;
      groups[i].disabled = off;
    }
    var selected = windows.options[windows.selectedIndex];
    if (selected && selected.parentNode.disabled) { windows.value = ""; }
  }

  tier.addEventListener("change", follow);
  follow();
})();
