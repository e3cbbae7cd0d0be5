// Placeholder front-end: shows the view model's meta block until the real
// viewer (per-P timelines, goroutine lanes, GC bands, counters) lands.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var app = document.getElementById("app");
  var h = document.createElement("h1");
  h.textContent = "Trace: " + data.meta.title;
  app.replaceChildren(h);
  var table = document.createElement("table");
  Object.keys(data.meta).forEach(function (k) {
    var tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = String(data.meta[k]);
  });
  app.appendChild(table);
})();
