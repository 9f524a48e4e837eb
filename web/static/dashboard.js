/* The dashboard's plots (ECharts), drawn from the JSON the page embeds; each plot's
   numbers are also in the table beside it, so nothing here is the only way to read them. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var asPercent = function (values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  };
  var rateSeries = function (part, type) {
    return ["response", "on_time", "satisfaction"].map(function (key) {
      return { name: names[key], type: type, data: asPercent(part[key]), connectNulls: true };
    });
  };
  var draw = function (id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  };
  var target = { name: names.target, type: "line", symbol: "none",
    lineStyle: { type: "dashed", color: "#c0392b" }, data: [] };
  var rates = function (part, type) {
    var series = rateSeries(part, type);
    series.push(Object.assign({}, target, { data: part.labels.map(function () { return 100; }) }));
    return {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: part.labels, axisLabel: { interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series
    };
  };
  var counts = function (pairs) {
    return {
      tooltip: { trigger: "axis" }, grid: { left: 120, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: pairs.map(function (p) { return p[0]; }) },
      series: [{ name: names.count, type: "bar", data: pairs.map(function (p) { return p[1]; }) }]
    };
  };
  draw("chart-trend", rates(data.trend, "line"));
  draw("chart-ranking", rates(data.ranking, "bar"));
  draw("chart-kinds", counts(data.kinds));
  draw("chart-places", counts(data.places));
})();
