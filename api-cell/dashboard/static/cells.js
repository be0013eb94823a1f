// Cells page: draws the table from the page's data, then from each server-sent event.
(function () {
  'use strict';
  var body = document.querySelector('#cells tbody');
  var live = document.getElementById('live');
  var apiError = document.getElementById('api-error');

  var cell = window.cellstackDom.td;
  function engine(probe, what) {
    if (probe.ok) return cell(probe.ms === null ? 'n/a' : 'ok ' + probe.ms + ' ms', 'up');
    var td = cell('unreachable', 'down');
    td.title = probe.error || '';
    td.dataset.engine = what;
    return td;
  }
  function seconds(s) {
    return s === null ? '–' : s.toFixed(1) + ' s';
  }
  function draw(payload) {
    var rows = payload.cells.map(function (c) {
      var tr = document.createElement('tr');
      tr.dataset.cell = c.name;
      tr.dataset.state = c.state;
      tr.appendChild(cell(c.name));
      tr.appendChild(cell(c.state, 'state ' + c.state));
      tr.appendChild(engine(c.bus, 'bus'));
      tr.appendChild(engine(c.db, 'database'));
      var h = c.hosts;
      tr.appendChild(cell(h.up + ' / ' + h.down + ' / ' + h.disabled + (h.unknown ? ' (' + h.unknown + ' unknown)' : '')));
      tr.appendChild(cell(String(c.instances)));
      tr.appendChild(cell(seconds(c.heartbeat.p50) + ' / ' + seconds(c.heartbeat.max)));
      var load = c.conductor;
      tr.appendChild(load === undefined ? cell('–') : load === null ? cell('unreachable', 'down') : cell(load.messagesPerS + ' msg/s · ' + load.cpuPercent + '% CPU', 'conductor'));
      tr.appendChild(cell(c.downSince ? new Date(c.downSince).toLocaleTimeString() : ''));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    var problems = [];
    if (payload.listError) problems.push('The cells cannot be listed (the rows are from before): ' + payload.listError);
    if (payload.apiError) problems.push('Compute API: ' + payload.apiError);
    apiError.textContent = problems.join(' · ');
    live.textContent = 'last round ' + new Date(payload.at).toLocaleTimeString();
  }
  draw(JSON.parse(document.getElementById('cells-data').textContent));
  var events = new EventSource('/dashboard/admin/cells/events');
  events.onmessage = function (e) {
    draw(JSON.parse(e.data));
  };
  events.onerror = function () {
    // CLOSED: the dashboard refused the stream (the session ended); otherwise the browser retries.
    live.textContent = events.readyState === 2 ? 'stopped: sign in again' : 'reconnecting…';
  };
})();
