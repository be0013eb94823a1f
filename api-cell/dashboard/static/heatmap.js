// Hosts heat map: one square per host on a canvas, grouped by cell, coloured by use.
(function () {
  'use strict';
  var canvas = document.getElementById('heatmap');
  var ctx = canvas.getContext('2d');
  var tip = document.getElementById('tip');
  var controls = { metric: 'metric', cell: 'f-cell', zone: 'f-zone', agg: 'f-agg', state: 'f-state' };
  var data = null;
  var layout = []; // per drawn host: [x, y, index]
  var size = 10;
  var pinned = false; // set by heatmapShow: the page keeps the fleet it was handed

  // 0..1000 use to a colour from green through yellow to red, precomputed.
  var ramp = [];
  for (var i = 0; i <= 100; i += 1) {
    var t = i / 100;
    var r = Math.round(t < 0.5 ? 60 + t * 2 * 180 : 240);
    var g = Math.round(t < 0.5 ? 170 + t * 2 * 50 : 220 - (t - 0.5) * 2 * 180);
    ramp.push('rgb(' + r + ',' + g + ',70)');
  }
  function value(metric, i) {
    if (metric === 'max') return Math.max(data.cpu[i], data.ram[i], data.disk[i]);
    return data[metric][i];
  }
  function stateOf(i) {
    if (data.state[i] === 2) return 'unknown';
    if (data.state[i] === 1) return 'down';
    return data.disabled[i] ? 'disabled' : 'up';
  }
  function el(id) {
    return document.getElementById(id);
  }
  function fillSelect(id, names) {
    var select = el(id);
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    names.forEach(function (n, i) {
      var o = document.createElement('option');
      o.value = String(i);
      o.textContent = n || '(none)';
      select.appendChild(o);
    });
    select.value = keep;
  }
  function draw() {
    if (!data) return;
    var started = performance.now();
    var metric = el(controls.metric).value;
    var fCell = el(controls.cell).value;
    var fZone = el(controls.zone).value;
    var fState = el(controls.state).value;
    var fAgg = el(controls.agg).value;
    var width = Math.max(600, canvas.parentElement.clientWidth - 10);
    var n = data.name.length;
    size = n > 5000 ? 7 : n > 1000 ? 10 : n > 200 ? 16 : 28;
    var step = size + 1;
    var perRow = Math.floor(width / step);
    // First pass: which hosts show, by cell, to know the height.
    var groups = data.cells.map(function () {
      return [];
    });
    for (var i = 0; i < n; i += 1) {
      if (fCell !== '' && data.cell[i] !== Number(fCell)) continue;
      if (fZone !== '' && data.zone[i] !== Number(fZone)) continue;
      if (fState !== '' && stateOf(i) !== fState) continue;
      if (fAgg !== '' && (!data.agg || data.agg[i].indexOf(Number(fAgg)) < 0)) continue;
      groups[data.cell[i]].push(i);
    }
    var height = 0;
    groups.forEach(function (g) {
      if (g.length) height += 20 + Math.ceil(g.length / perRow) * step + 8;
    });
    canvas.width = width;
    canvas.height = Math.max(40, height);
    ctx.font = '12px system-ui, sans-serif';
    layout = [];
    var y = 0;
    var shown = 0;
    groups.forEach(function (g, c) {
      if (!g.length) return;
      ctx.fillStyle = '#1d2330';
      ctx.fillText(data.cells[c] + ' (' + g.length + ' hosts)', 0, y + 14);
      y += 20;
      for (var k = 0; k < g.length; k += 1) {
        var idx = g[k];
        var x = (k % perRow) * step;
        var yy = y + Math.floor(k / perRow) * step;
        var state = stateOf(idx);
        ctx.fillStyle = state === 'up' ? ramp[Math.round(value(metric, idx) / 10)] : state === 'disabled' ? '#5b7fc7' : '#222';
        ctx.fillRect(x, yy, size, size);
        layout.push(x, yy, idx);
      }
      shown += g.length;
      y += Math.ceil(g.length / perRow) * step + 8;
    });
    var ms = performance.now() - started;
    window.heatmapDrawMs = ms;
    window.heatmapHosts = shown;
    el('draw-time').textContent = 'Drew ' + shown + ' hosts in ' + ms.toFixed(1) + ' ms.';
    el('summary').textContent = shown + ' of ' + n + ' hosts';
  }
  function at(ev) {
    var rect = canvas.getBoundingClientRect();
    var px = ev.clientX - rect.left;
    var py = ev.clientY - rect.top;
    for (var j = 0; j < layout.length; j += 3) {
      if (px >= layout[j] && px < layout[j] + size && py >= layout[j + 1] && py < layout[j + 1] + size) return layout[j + 2];
    }
    return -1;
  }
  canvas.addEventListener('mousemove', function (ev) {
    var i = at(ev);
    if (i < 0) {
      tip.style.display = 'none';
      return;
    }
    tip.textContent = data.name[i] + ' · ' + data.cells[data.cell[i]] + ' · ' + stateOf(i) +
      '\nvCPU ' + data.cpu[i] / 10 + '%  RAM ' + data.ram[i] / 10 + '%  disk ' + data.disk[i] / 10 + '%  servers ' + data.servers[i];
    tip.style.left = ev.offsetX + 12 + 'px';
    tip.style.top = ev.offsetY + 12 + 'px';
    tip.style.display = 'block';
  });
  canvas.addEventListener('mouseleave', function () {
    tip.style.display = 'none';
  });
  canvas.addEventListener('click', function (ev) {
    var i = at(ev);
    if (i >= 0) location.href = '/dashboard/admin/hosts/' + encodeURIComponent(data.name[i]);
  });
  Object.keys(controls).forEach(function (k) {
    el(controls[k]).addEventListener('change', draw);
  });
  window.addEventListener('resize', draw);
  function load() {
    fetch('/dashboard/admin/hosts.json', { credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (d) {
        if (d && !pinned) {
          data = d;
          fillSelect(controls.cell, d.cells);
          fillSelect(controls.zone, d.zones);
          fillSelect(controls.agg, d.aggregates || []);
          draw();
        }
      })
      .catch(function () {})
      .finally(function () {
        setTimeout(load, 5000);
      });
  }
  // The benchmark hands the map a fleet of its own and times the drawing alone.
  window.heatmapShow = function (d) {
    pinned = true;
    data = d;
    fillSelect(controls.cell, d.cells);
    fillSelect(controls.zone, d.zones);
    fillSelect(controls.agg, d.aggregates || []);
    draw();
    return window.heatmapDrawMs;
  };
  load();
})();
