// The analyst's modeler: bpmn-js's Modeler (from node_modules, /vendor/bpmn-js/) with a properties form
// for what Alur reads from a diagram, written into the XML exactly as engine/bpmn.py and engine/lint.py
// read it:
//   lane            -> its name is the role (<bpmn:lane name="verifikator">)
//   user task       -> <spiffworkflow:property name="form" value="..."/> in <spiffworkflow:properties>
//   service task    -> <spiffworkflow:serviceTaskOperator id="HANDLER"><spiffworkflow:parameters/>...
//   user/manual task, service task -> <spiffworkflow:property name="pasal" value="..."/>
// Saving posts the XML to the deploy API (validated there); the report's elements are highlighted.
// A dry run posts the XML to /api/v1/dry-runs and steps through it. window.alurModeler is the bpmn-js
// instance (for the browser tests and the console).
(function () {
  "use strict";
  var container = document.getElementById("modeler");
  if (!container || typeof BpmnJS === "undefined") { return; }
  var config = JSON.parse(document.getElementById("modeler-config").textContent);
  var T = config.text;
  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  var HUMAN = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:Task"];

  var modeler = new BpmnJS({ container: container });
  window.alurModeler = modeler;
  var moddle = modeler.get("moddle");
  var modeling = modeler.get("modeling");
  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var formNode = document.getElementById("properties-form");
  var statusNode = document.querySelector("[data-testid=modeler-status]");
  var current = null;
  var marked = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function say(text, kind) {
    statusNode.textContent = text;
    statusNode.className = "status " + (kind || "");
  }

  // --- spiffworkflow extension elements (kept generic, so whatever else the file holds survives) -----

  function isSpiff(node, local) {
    var d = node && node.$descriptor;
    if (!d || !d.ns) { return false; }
    return d.ns.uri === SPIFF && d.ns.localName === local;
  }

  function values(bo) { return (bo.extensionElements && bo.extensionElements.values) || []; }

  function find(bo, local) { return values(bo).filter(function (v) { return isSpiff(v, local); })[0] || null; }

  function property(bo, name) {
    var props = find(bo, "properties");
    var found = ((props && props.$children) || []).filter(function (c) {
      return isSpiff(c, "property") && c.name === name;
    })[0];
    return found ? (found.value || "") : "";
  }

  function attrs(node) {
    var out = {};
    Object.keys(node).forEach(function (key) { if (key.charAt(0) !== "$") { out[key] = node[key]; } });
    return out;
  }

  function writeExtensions(element, replace) {
    // replace(values) -> the new list; a fresh extensionElements makes the change undoable.
    var bo = element.businessObject;
    var next = replace(values(bo).slice()).filter(Boolean);
    var ext = moddle.create("bpmn:ExtensionElements", { values: next });
    next.forEach(function (v) { v.$parent = ext; });
    modeling.updateProperties(element, { extensionElements: next.length ? ext : undefined });
  }

  function setProperty(element, name, value) {
    writeExtensions(element, function (list) {
      var index = list.findIndex(function (v) { return isSpiff(v, "properties"); });
      var old = index >= 0 ? list[index] : null;
      var children = ((old && old.$children) || []).filter(function (c) {
        return !(isSpiff(c, "property") && c.name === name);
      });
      if (value) { children.push(moddle.createAny("spiffworkflow:property", SPIFF, { name: name, value: value })); }
      var props = children.length ? moddle.createAny("spiffworkflow:properties", SPIFF, { $children: children }) : null;
      if (props) { children.forEach(function (c) { c.$parent = props; }); }
      if (index >= 0) { list[index] = props; } else { list.push(props); }
      return list;
    });
  }

  function setHandler(element, name) {
    writeExtensions(element, function (list) {
      var index = list.findIndex(function (v) { return isSpiff(v, "serviceTaskOperator"); });
      var old = index >= 0 ? list[index] : null;
      var operator = null;
      if (name) {
        var keep = old ? attrs(old) : {};
        keep.id = name;
        var children = (old && old.$children) ||
          [moddle.createAny("spiffworkflow:parameters", SPIFF, {})];
        keep.$children = children;
        operator = moddle.createAny("spiffworkflow:serviceTaskOperator", SPIFF, keep);
        children.forEach(function (c) { c.$parent = operator; });
      }
      if (index >= 0) { list[index] = operator; } else { list.unshift(operator); }
      return list;
    });
  }

  function handlerOf(bo) {
    var operator = find(bo, "serviceTaskOperator");
    return operator ? (operator.id || "") : "";
  }

  // --- the properties form ----------------------------------------------------------------------

  function field(label, input, name) {
    input.setAttribute("name", name);
    input.setAttribute("data-prop", name);
    return el("label", {}, [document.createTextNode(label), input]);
  }

  function select(options, value, placeholder) {
    var node = el("select");
    if (placeholder !== undefined) { node.appendChild(el("option", { value: "", text: placeholder })); }
    options.forEach(function (option) {
      var pair = Array.isArray(option) ? option : [option, option];
      var item = el("option", { value: pair[0], text: pair[1] === pair[0] ? pair[0] : pair[0] + " — " + pair[1] });
      if (pair[0] === value) { item.selected = true; }
      node.appendChild(item);
    });
    if (value && !options.some(function (o) { return (Array.isArray(o) ? o[0] : o) === value; })) {
      var unknown = el("option", { value: value, text: value + " (" + T.not_a_role + ")" });
      unknown.selected = true;
      node.appendChild(unknown);
    }
    return node;
  }

  function text(value) {
    var node = el("input", { type: "text" });
    node.value = value || "";
    return node;
  }

  function onChange(input, apply) {
    input.addEventListener("change", function () { apply(input.value.trim()); });
  }

  function processOf(element) {
    var bo = element && element.businessObject;
    if (bo && bo.$type === "bpmn:Participant") { return bo.processRef; }
    var root = canvas.getRootElement().businessObject;
    if (!root) { return null; }  // nothing imported yet
    if (root.$type === "bpmn:Process") { return root; }
    var participants = (root.participants || []).filter(function (p) { return p.processRef; });
    return participants.length ? participants[0].processRef : null;
  }

  function processFields(element) {
    var target = element || canvas.getRootElement();
    var process = processOf(element);
    if (!process) { return []; }
    var id = text(process.id);
    onChange(id, function (value) {
      if (value) { modeling.updateModdleProperties(target, process, { id: value }); }
    });
    var name = text(process.name);
    onChange(name, function (value) {
      modeling.updateModdleProperties(target, process, { name: value || undefined });
      registry.filter(function (e) {
        return e.type === "bpmn:Participant" && e.businessObject.processRef === process;
      }).forEach(function (pool) { modeling.updateProperties(pool, { name: value || undefined }); });
    });
    return [el("h3", { text: T.process }), field(T.process_id, id, "process_id"), field(T.name, name, "process_name")];
  }

  function render(element) {
    current = element;
    formNode.textContent = "";
    if (!element || element.type === "label") {
      formNode.appendChild(el("p", { class: "muted", text: T.nothing }));
      processFields(null).forEach(function (n) { formNode.appendChild(n); });
      return;
    }
    var bo = element.businessObject;
    var type = bo.$type;
    formNode.appendChild(el("div", { class: "kind", "data-testid": "selected-kind", text: type.replace("bpmn:", "") }));
    formNode.appendChild(el("div", { class: "kind" }, [document.createTextNode(T.id + ": "),
      el("code", { "data-testid": "selected-id", text: bo.id })]));
    if (type === "bpmn:Participant") {
      processFields(element).forEach(function (n) { formNode.appendChild(n); });
      return;
    }
    if (type === "bpmn:Lane") {
      var role = select(config.catalogue.roles, (bo.name || "").trim(), T.choose);
      onChange(role, function (value) { modeling.updateProperties(element, { name: value || undefined }); });
      formNode.appendChild(field(T.role, role, "role"));
      return;
    }
    var name = text(bo.name);
    onChange(name, function (value) { modeling.updateProperties(element, { name: value || undefined }); });
    formNode.appendChild(field(T.name, name, "name"));
    if (type === "bpmn:UserTask") {
      var form = select(config.catalogue.forms, property(bo, "form"), T.free_input);
      onChange(form, function (value) { setProperty(element, "form", value); });
      formNode.appendChild(field(T.form, form, "form"));
    }
    if (type === "bpmn:ServiceTask") {
      var handler = select(config.catalogue.handlers, handlerOf(bo), T.choose);
      onChange(handler, function (value) { setHandler(element, value); });
      formNode.appendChild(field(T.handler, handler, "handler"));
    }
    if (HUMAN.indexOf(type) >= 0 || type === "bpmn:ServiceTask") {
      var pasal = text(property(bo, "pasal"));
      pasal.setAttribute("placeholder", "12(2)c");
      onChange(pasal, function (value) { setProperty(element, "pasal", value); });
      formNode.appendChild(field(T.pasal, pasal, "pasal"));
    }
  }

  modeler.on("selection.changed", function (event) {
    render(event.newSelection.length === 1 ? event.newSelection[0] : null);
  });
  modeler.on("element.changed", function (event) {
    if (current && event.element === current && !formNode.contains(document.activeElement)) { render(current); }
  });

  // --- the report, highlighted on the diagram -------------------------------------------------------

  function unmark() {
    ["alur-done", "alur-active", "alur-error"].forEach(function (marker) {
      marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, marker); } });
    });
    marked = [];
  }

  function mark(ids, marker) {
    ids.forEach(function (id) {
      if (id && registry.get(id)) { canvas.addMarker(id, marker); marked.push(id); }
    });
  }

  function showReport(problems, headline, kind) {
    var node = document.getElementById("report");
    node.textContent = "";
    node.appendChild(el("p", { class: "flash " + kind, "data-testid": "report-headline", text: headline }));
    var list = el("ol", { class: "problems", "data-testid": "problems" });
    problems.forEach(function (p) {
      var item = el("li", { class: "problem " + p.severity, "data-element-id": p.element_id || "",
                            "data-severity": p.severity }, [
        el("span", { class: "badge " + (p.severity === "error" ? "overdue" : "due"),
                     text: p.severity === "error" ? T.error : T.warning }),
        p.element_id ? el("code", { class: "element-id", text: " " + p.element_id + " " }) : null,
        el("div", { class: "message", text: p.message }),
        el("div", { class: "fix" }, [el("strong", { text: T.fix + " " }), document.createTextNode(p.fix || "")])
      ]);
      if (p.element_id && registry.get(p.element_id)) {
        item.addEventListener("click", function () {
          modeler.get("selection").select(registry.get(p.element_id));
        });
      }
      list.appendChild(item);
    });
    node.appendChild(list);
    unmark();
    mark(problems.filter(function (p) { return p.severity === "error"; }).map(function (p) { return p.element_id; }),
         "alur-error");
  }

  // --- calling the API with the session cookie --------------------------------------------------

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRFToken": window.alurCsrfToken(), "Accept": "application/json" },
                                    options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.text().then(function (body) {
        var json = null;
        try { json = body ? JSON.parse(body) : null; } catch (e) { json = { detail: body }; }
        return { ok: response.ok, status: response.status, body: json || {} };
      });
    });
  }

  function postJson(url, payload) {
    return api(url, { method: "POST", headers: { "Content-Type": "application/json" },
                      body: JSON.stringify(payload) });
  }

  function xml() { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); }

  function fileName() {
    var process = processOf(null);
    return ((process && process.id) || "diagram") + ".bpmn";
  }

  function refused(result) {
    var problems = result.body.errors || [];
    if (!problems.length) {
      problems = [{ element_id: null, severity: "error", message: result.body.detail || ("HTTP " + result.status),
                    fix: "" }];
    }
    showReport(problems, T.refused, "error");
    say(T.refused + " (" + problems.filter(function (p) { return p.severity === "error"; }).length + ")", "error");
  }

  function save() {
    say(T.saving);
    return xml().then(function (text) {
      var data = new FormData();
      data.append("file", new Blob([text], { type: "application/xml" }), fileName());
      return api(config.deploy_url, { method: "POST", body: data });
    }).then(function (result) {
      if (!result.ok) { refused(result); return; }
      var done = result.body.processes.map(function (p) {
        return p.process_id + " " + T.version + " " + p.version;
      }).join(", ");
      say(T.deployed + ": " + done, "success");
      showReport(result.body.warnings || [], T.deployed + ": " + done, "success");
      container.dataset.deployed = done;
    });
  }

  function validate() {
    return xml().then(function (text) {
      return postJson(config.validate_url, { xml: text, filename: fileName() });
    }).then(function (result) {
      if (!result.ok) { refused(result); return; }
      var report = result.body;
      var problems = report.errors.concat(report.warnings);
      if (report.valid) {
        showReport(problems, T.valid, "success");
        say(T.valid, "success");
      } else {
        refused({ body: { errors: problems } });
      }
    });
  }

  function download() {
    xml().then(function (text) {
      var link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/xml" })),
                           download: fileName() });
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  // --- the dry run --------------------------------------------------------------------------------

  var dryView = document.getElementById("dry-run-view");

  function parsed(id) {
    var node = document.getElementById(id);
    try {
      var value = JSON.parse(node.value || "{}");
      if (value === null || typeof value !== "object" || Array.isArray(value)) { throw new Error("object"); }
      node.removeAttribute("aria-invalid");
      return value;
    } catch (e) {
      node.setAttribute("aria-invalid", "true");
      say(T.bad_json, "error");
      return null;
    }
  }

  function showRun(run) {
    dryView.textContent = "";
    dryView.dataset.state = run.state;
    dryView.dataset.runId = run.id;
    dryView.appendChild(el("p", {}, [el("strong", { text: T.state + ": " }),
      el("span", { class: "badge state-" + run.state, "data-testid": "dry-run-state", "data-state": run.state,
                   text: config.states[run.state] || run.state })]));
    if (run.error) {
      dryView.appendChild(el("p", { class: "flash error", "data-testid": "dry-run-error",
                                    text: run.error.message + (run.error.element_id ? " (" + run.error.element_id + ")" : "") }));
    }
    dryView.appendChild(el("h3", { text: T.ready }));
    if (!run.tasks.length) { dryView.appendChild(el("p", { class: "muted", text: T.none })); }
    run.tasks.forEach(function (task) {
      var input = el("textarea", { rows: "2", "data-task-data": task.element_id });
      input.value = "{}";
      var button = el("button", { type: "button", "data-complete": task.element_id, text: T.complete });
      button.addEventListener("click", function () {
        var data;
        try { data = JSON.parse(input.value || "{}"); } catch (e) { say(T.bad_json, "error"); return; }
        postJson(config.dry_run_url + "/" + run.id + "/tasks/" + task.id + "/complete", { data: data })
          .then(function (result) {
            if (!result.ok) { refused(result); return; }
            showRun(result.body);
          });
      });
      dryView.appendChild(el("div", { class: "dry-task", "data-dry-task": task.element_id }, [
        el("strong", { text: task.name }),
        el("span", { class: "muted", text: " (" + T.lane + ": " + (task.lane || "—") +
                                            (task.form ? ", " + T.form + ": " + task.form : "") + ")" }),
        input, button]));
    });
    dryView.appendChild(el("h3", { text: T.path }));
    dryView.appendChild(el("ol", { "data-testid": "dry-run-path" }, run.path.map(function (step) {
      return el("li", { "data-element-id": step.element_id, text: step.name });
    })));
    var calls = run.steps.filter(function (s) { return s.action === "service"; });
    if (calls.length) {
      dryView.appendChild(el("h3", { text: T.service_calls }));
      dryView.appendChild(el("pre", { text: JSON.stringify(calls, null, 2) }));
    }
    dryView.appendChild(el("h3", { text: T.data }));
    dryView.appendChild(el("pre", { "data-testid": "dry-run-data", text: JSON.stringify(run.data, null, 2) }));
    unmark();
    Object.keys(run.elements).forEach(function (id) {
      var state = run.elements[id];
      mark([id], state === "completed" ? "alur-done" : state === "error" ? "alur-error" : "alur-active");
    });
  }

  function dryRun() {
    var data = parsed("dry-data");
    var results = parsed("dry-results");
    if (data === null || results === null) { return; }
    xml().then(function (text) {
      return postJson(config.dry_run_url, { xml: text, filename: fileName(), data: data, service_results: results });
    }).then(function (result) {
      if (!result.ok) { refused(result); return; }
      showRun(result.body);
    });
  }

  var actions = { save: save, validate: validate, download: download, "dry-run": dryRun };
  document.querySelectorAll("[data-action]").forEach(function (button) {
    var action = actions[button.dataset.action];
    if (action) { button.addEventListener("click", function () { action(); }); }
  });

  fetch(config.xml_url || config.blank_url, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (text) { return modeler.importXML(text); })
    .then(function () {
      if (registry.getAll().length <= 1) {
        container.dataset.status = "no-layout";
        say(T.no_layout, "error");
        return;
      }
      canvas.zoom("fit-viewport", "auto");
      canvas.zoom(canvas.zoom() * 0.78, "auto");
      canvas.scroll({ dx: 45, dy: 0 });  // clear of the palette on the left
      render(null);
      container.dataset.status = "ready";
      say(T.loaded);
    })
    .catch(function (error) {
      container.dataset.status = "failed";
      say(T.load_failed + " (" + error.message + ")", "error");
      if (window.console) { console.error(error); }
    });
})();
