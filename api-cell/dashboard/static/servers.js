// Servers list: asks for the list again every 2 seconds and redraws its rows, no reload.
(function () {
  'use strict';
  var body = document.querySelector('#servers tbody');
  var td = window.cellstackDom.td;
  function row(s) {
    var tr = document.createElement('tr');
    tr.dataset.id = s.id;
    var name = document.createElement('td');
    var a = document.createElement('a');
    a.href = '/dashboard/servers/' + encodeURIComponent(s.id);
    a.textContent = s.name;
    name.appendChild(a);
    tr.appendChild(name);
    tr.appendChild(td(s.status, 'status ' + s.status));
    tr.appendChild(td(s.task || ''));
    tr.appendChild(td(s.flavor));
    tr.appendChild(td(s.addresses));
    tr.appendChild(td(s.created));
    return tr;
  }
  function refresh() {
    fetch('/dashboard/servers.json' + location.search, { credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 401) location.reload();
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        if (data.servers.length === 0) {
          var empty = document.createElement('tr');
          empty.appendChild(td('No servers.', 'muted'));
          body.replaceChildren(empty);
        } else body.replaceChildren.apply(body, data.servers.map(row));
      })
      .catch(function () {})
      .finally(function () {
        setTimeout(refresh, 2000);
      });
  }
  setTimeout(refresh, 2000);
})();
