// What the dashboard's page scripts share: building table cells from text (never from markup).
(function () {
  'use strict';
  window.cellstackDom = {
    td: function (text, className) {
      var el = document.createElement('td');
      el.textContent = text;
      if (className) el.className = className;
      return el;
    },
  };
})();
