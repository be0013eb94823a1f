// Activity page: plots boots per second, POST→ACTIVE latency and errors with uPlot, every 5 seconds.
(function () {
  'use strict';
  var plots = {};
  function el(id) {
    return document.getElementById(id);
  }
  function seconds(s) {
    return s === null ? '–' : s.toFixed(2) + ' s';
  }
  function plot(id, title, series, data) {
    var width = Math.max(600, document.querySelector('main').clientWidth - 40);
    if (plots[id]) {
      plots[id].setData(data);
      return;
    }
    plots[id] = new uPlot({ title: title, width: width, height: 220, series: [{}].concat(series) }, data, el(id));
  }
  function draw(a) {
    el('latency').textContent = a.latency.count + ' servers · p50 ' + seconds(a.latency.p50) + ' · p90 ' + seconds(a.latency.p90) + ' · p99 ' + seconds(a.latency.p99);
    var stages = Object.keys(a.stages);
    el('stages').textContent = stages.length ? stages.map(function (k) { return k + ': ' + a.stages[k]; }).join(' · ') : 'nothing';
    plot('plot-boots', 'Boots reaching ACTIVE per second', [{ label: 'boots/s', stroke: '#2456b3', fill: 'rgba(36,86,179,.1)' }], [a.times, a.bootsPerS]);
    plot('plot-latency', 'POST→ACTIVE (s)', [{ label: 'p50', stroke: '#17803d' }, { label: 'p99', stroke: '#c0262d' }], [a.times, a.p50, a.p99]);
    plot('plot-errors', 'Servers gone to ERROR', [{ label: 'errors', stroke: '#c0262d' }], [a.times, a.errors]);
    var body = document.querySelector('#errors tbody');
    body.replaceChildren.apply(body, a.recentErrors.map(function (e) {
      var tr = document.createElement('tr');
      [e.at, e.name + ' (' + e.id + ')', e.message].forEach(function (t) {
        var td = document.createElement('td');
        td.textContent = t;
        tr.appendChild(td);
      });
      return tr;
    }));
  }
  function load() {
    fetch('/dashboard/admin/activity.json', { credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (a) {
        if (a) draw(a);
      })
      .catch(function () {})
      .finally(function () {
        setTimeout(load, 5000);
      });
  }
  load();
})();
