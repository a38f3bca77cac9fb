// The case page's diagram: bpmn-js draws the pinned version's BPMN and marks each element by its state
// (completed -> alur-done, ready/waiting/started -> alur-active, error -> alur-error).
(function () {
  "use strict";
  var node = document.getElementById("diagram");
  if (!node || typeof BpmnJS === "undefined") { return; }
  var states = JSON.parse(document.getElementById("element-states").textContent || "{}");
  var viewer = new BpmnJS({ container: node });
  var MARKERS = { completed: "alur-done", error: "alur-error" };

  function say(text) {
    node.dataset.status = "message";
    var p = document.createElement("p");
    p.className = "muted";
    p.style.padding = "1rem";
    p.textContent = text;
    node.appendChild(p);
  }

  fetch(node.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      if (registry.getAll().length <= 1) { say(node.dataset.noLayout); return; }
      canvas.zoom("fit-viewport", "auto");
      Object.keys(states).forEach(function (id) {
        if (!registry.get(id)) { return; }
        canvas.addMarker(id, MARKERS[states[id]] || "alur-active");
      });
      node.dataset.status = "rendered";
    })
    .catch(function (error) {
      node.dataset.status = "failed";
      say(node.dataset.loadFailed + " (" + error.message + ")");
    });
})();
