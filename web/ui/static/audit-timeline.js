// The auditor's timeline: the slider picks an event of the case's journal; the case as it was after that
// event comes from GET /api/v1/process-instances/{id}/replay?upto=N (re-run from the journal), and the
// diagram's markers, the data diff and the open tasks follow it.
(function () {
  "use strict";
  var root = document.getElementById("replay");
  var node = document.getElementById("diagram");
  var slider = document.getElementById("step");
  if (!root || !node || !slider || typeof BpmnJS === "undefined") { return; }
  var labels = JSON.parse(document.getElementById("event-labels").textContent || "{}");
  var viewer = new BpmnJS({ container: node });
  var MARKERS = { completed: "alur-done", active: "alur-active", error: "alur-error" };
  var marked = [];
  var ready = false;
  var pending = null;
  var timer = null;
  var lang = document.documentElement.lang || "id";

  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function show(value) {
    if (value === undefined) { return "—"; }
    if (value === null) { return "null"; }
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function cell(row, value, className) {
    var td = document.createElement("td");
    td.textContent = value;
    if (className) { td.className = className; }
    row.appendChild(td);
  }

  function renderDiff(changes) {
    var body = root.ownerDocument.querySelector("table.diff tbody");
    body.textContent = "";
    var before = changes.before || {};
    var after = changes.after || {};
    var keys = Object.keys(Object.assign({}, before, after)).sort();
    if (!keys.length) {
      var empty = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 3;
      td.className = "muted";
      td.textContent = root.dataset.tNone;
      empty.appendChild(td);
      body.appendChild(empty);
      return;
    }
    keys.forEach(function (key) {
      var row = document.createElement("tr");
      row.dataset.key = key;
      cell(row, key);
      cell(row, key in before ? show(before[key]) : "—", "before");
      cell(row, key in after ? show(after[key]) : "—", "after");
      body.appendChild(row);
    });
  }

  function renderTasks(tasks) {
    var list = document.getElementById("replay-tasks");
    list.textContent = "";
    if (!tasks.length) {
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = root.dataset.tNoTasks;
      list.appendChild(li);
      return;
    }
    tasks.forEach(function (t) {
      var item = document.createElement("li");
      item.dataset.element = t.element_id || "";
      item.textContent = (t.name || t.element_id) + " (" + (t.assignee || t.role || "—") + ")";
      list.appendChild(item);
    });
  }

  function renderMarkers(elements) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    var active = [];
    Object.keys(elements).forEach(function (id) {
      var marker = MARKERS[elements[id]];
      if (!marker || !registry.get(id)) { return; }
      canvas.addMarker(id, marker);
      marked.push([id, marker]);
      if (elements[id] === "active") { active.push(id); }
    });
    node.dataset.active = active.sort().join(" ");
    node.dataset.done = marked.filter(function (m) { return m[1] === "alur-done"; })
      .map(function (m) { return m[0]; }).sort().join(" ");
  }

  function renderEvent(body) {
    var e = body.event;
    var when = new Date(e.at).toLocaleString(lang === "en" ? "en-GB" : "id-ID");
    var label = text(root.dataset.tEvent, { n: body.upto, total: body.total }) + ": " +
      (labels[e.type] || e.type) + (e.element_name ? " — " + e.element_name : "") + " · " + when +
      (e.actor ? " · " + e.actor : "");
    document.getElementById("step-label").textContent = label;
    document.querySelectorAll("ol.timeline li").forEach(function (li) {
      li.classList.toggle("current", Number(li.dataset.seq) === body.upto);
    });
    var problem = document.getElementById("divergence");
    if (body.divergence) {
      problem.hidden = false;
      problem.textContent = text(root.dataset.tDiverged, { seq: body.divergence.seq }) + " " + body.divergence.problem;
    } else {
      problem.hidden = true;
    }
  }

  function load(upto) {
    if (!ready) { pending = upto; return; }
    root.dataset.status = "loading";
    fetch(root.dataset.replayUrl + "?upto=" + upto, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (Number(slider.value) !== body.upto) { return; } // the slider moved on meanwhile
        renderMarkers(body.elements);
        renderDiff(body.changes);
        renderTasks(body.tasks);
        renderEvent(body);
        root.dataset.upto = String(body.upto);
        root.dataset.status = "shown";
      })
      .catch(function (error) {
        root.dataset.status = "failed";
        document.getElementById("step-label").textContent = root.dataset.tFailed + " (" + error.message + ")";
      });
  }

  slider.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(Number(slider.value)); }, 120);
  });
  document.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      slider.value = button.dataset.step;
      load(Number(slider.value));
    });
  });

  fetch(node.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var registry = viewer.get("elementRegistry");
      if (registry.getAll().length <= 1) { node.dataset.status = "message"; node.textContent = node.dataset.noLayout; }
      else { viewer.get("canvas").zoom("fit-viewport", "auto"); node.dataset.status = "rendered"; }
    })
    .catch(function (error) {
      node.dataset.status = "failed";
      node.textContent = node.dataset.loadFailed + " (" + error.message + ")";
    })
    .then(function () {
      ready = true;
      load(pending !== null ? pending : Number(slider.value));
    });
})();
