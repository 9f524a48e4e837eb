/* The heatmap page's plot (ECharts), from the JSON the page embeds; the table below it
   holds the same numbers. */
(function () {
  "use strict";
  var source = document.getElementById("heatmap-data");
  var element = document.getElementById("chart-heatmap");
  if (!source || !element || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  element.style.height = Math.max(240, 60 + data.rows.length * 36) + "px";
  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { position: "top" },
    grid: { left: 130, right: 20, top: 10, bottom: 90 },
    xAxis: { type: "category", data: data.columns, splitArea: { show: true },
             axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "category", data: data.rows, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, data.max), calculable: true, orient: "horizontal",
                 left: "center", bottom: 0, inRange: { color: ["#eef3fb", "#1d4f91"] } },
    series: [{ name: data.name, type: "heatmap", data: data.cells, label: { show: true },
               emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
