// Charts of the scoring pages (Apache ECharts, served locally). Each chart element names its data:
// <div data-chart="histogram|trend|diff" data-source="id of a json_script"> …
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function histogram(el, d, key, color) {
    var h = d[key];
    return {
      grid: { left: 40, right: 12, top: 36, bottom: 60 },
      title: { text: d.labels[key], textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: h.labels, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: h.counts, itemStyle: { color: color } }]
    };
  }

  function trend(el, d) {
    var t = d.trend;
    return {
      grid: { left: 48, right: 48, top: 64, bottom: 30 },
      title: { text: t.name, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      legend: { top: 24, left: 0 },
      xAxis: { type: "category", data: t.periods },
      yAxis: [{ type: "value", scale: true }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: d.labels.ranked, type: "line", data: t.rank_value, z: 5, symbolSize: 9, label: { show: true, position: "top" }, itemStyle: { color: "#1f4f99" } },
        { name: d.labels.amount, type: "bar", yAxisIndex: 1, z: 1, data: t.amount, barMaxWidth: 28, itemStyle: { color: "rgba(201, 162, 39, .55)" } }
      ]
    };
  }

  function diff(el, d) {
    return {
      grid: { left: 110, right: 24, top: 10, bottom: 30 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: d.label },
      yAxis: { type: "category", data: d.names.slice().reverse(), axisLabel: { fontSize: 11 } },
      series: [{
        type: "bar",
        data: d.deltas.slice().reverse().map(function (v) {
          var n = Number(v);
          return { value: n, itemStyle: { color: n < 0 ? "#a12b2b" : "#1c6b35" } };
        })
      }]
    };
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d = data(el.getAttribute("data-source"));
    if (!d) return;
    var kind = el.getAttribute("data-chart");
    var option;
    if (kind === "ranked") option = histogram(el, d, "ranked", "#1f4f99");
    else if (kind === "amount") option = histogram(el, d, "amount", "#c9a227");
    else if (kind === "trend") option = trend(el, d);
    else if (kind === "diff") option = diff(el, d);
    if (!option) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.setAttribute("data-ready", "yes");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Buttons that change something final ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
