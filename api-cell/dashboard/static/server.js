// A server's page: reads the server again every second; when its status or task changes the
// page is drawn again, so the buttons offered are the ones its new status allows.
(function () {
  'use strict';
  var shown = JSON.parse(document.getElementById('server').textContent);
  function check() {
    fetch('/dashboard/servers/' + encodeURIComponent(shown.id) + '/status.json', { credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 404) location.href = '/dashboard/servers?done=delete';
        return res.ok ? res.json() : null;
      })
      .then(function (now) {
        if (now && (now.status !== shown.status || now.task !== shown.task)) location.replace(location.pathname);
        else setTimeout(check, 1000);
      })
      .catch(function () {
        setTimeout(check, 1000);
      });
  }
  setTimeout(check, 1000);
})();
