/* The tender form (procurement/tender_form.html), enhanced: the sections of the other
   methods hide (the server ignores what they hold), the scoring sheet's rows are added,
   removed and filled from a template in the page, and the total of the weights follows
   the typing. Without this script the same buttons submit the form and the server does
   the same (views/drafting.py, _sheet_action). */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("form[data-tender-form]");
    if (!form) return;
    var method = form.querySelector("select[name=method]");
    var evaluation = form.querySelector("select[name=evaluation_method]");

    /* --- show only what applies --------------------------------------------------- */
    function toggle() {
      var m = method ? method.value : "";
      var e = evaluation ? evaluation.value : "";
      form.querySelectorAll("[data-methods]").forEach(function (section) {
        var methods = section.getAttribute("data-methods").split(" ");
        var on = methods.indexOf(m) >= 0;
        if (section.hasAttribute("data-comprehensive")) on = on && e === "comprehensive";
        section.hidden = !on;
      });
      form.querySelectorAll("[data-method-change]").forEach(function (box) {
        box.hidden = m === form.getAttribute("data-project-method");
      });
      var deadline = form.querySelector("input[data-period-rules]");
      var help = deadline && deadline.parentNode.querySelector("small");
      if (help) {
        var rules = JSON.parse(deadline.getAttribute("data-period-rules"));
        if (rules[m]) help.textContent = rules[m];
      }
    }
    /* Competitive consultation allows comprehensive scoring only (the form's rule too). */
    function narrow() {
      if (!evaluation || !method) return;
      var all = JSON.parse(evaluation.getAttribute("data-choices") || "[]");
      var only = (evaluation.getAttribute("data-comprehensive-only") || "").split(" ");
      var allowed = all.filter(function (c) {
        return only.indexOf(method.value) < 0 || c[0] === "comprehensive";
      });
      var current = evaluation.value;
      while (evaluation.options.length) evaluation.remove(0);
      allowed.forEach(function (c) { evaluation.add(new Option(c[1], c[0])); });
      var kept = allowed.some(function (c) { return c[0] === current; });
      evaluation.value = kept ? current : "comprehensive";
    }
    if (method) method.addEventListener("change", function () { narrow(); toggle(); });
    if (evaluation) evaluation.addEventListener("change", toggle);
    toggle();

    /* --- the scoring sheet -------------------------------------------------------- */
    var rows = form.querySelector("[data-sheet-rows]");
    if (!rows) return;
    var table = rows.closest("table");
    var rowTemplate = form.querySelector("template[data-sheet-row-template]");
    var totalOut = form.querySelector("[data-sheet-total]");
    var summary = form.querySelector("[data-sheet-summary]");
    var status = form.querySelector("[data-sheet-status]");
    var dataNode = document.getElementById("sheet-templates");
    var templates = dataNode ? JSON.parse(dataNode.textContent) : {};

    function cents(text) {
      text = (text || "").trim();
      if (text === "") return 0;
      if (!/^-?\d+(\.\d+)?$/.test(text)) return NaN;
      return Math.round(parseFloat(text) * 100);
    }

    function total() {
      var sum = 0;
      form.querySelectorAll("[data-sheet-weight]").forEach(function (input) {
        if (input.closest("template")) return;
        sum += cents(input.value);
      });
      if (isNaN(sum)) {
        totalOut.textContent = "—";
      } else {
        totalOut.textContent = String(sum / 100);
      }
      var ok = sum === 10000;
      summary.classList.toggle("off", !ok);
      status.textContent = status.getAttribute(ok ? "data-ok" : "data-off");
    }

    function nextNumber() {
      var max = 0;
      rows.querySelectorAll("input[name^=factor_]").forEach(function (input) {
        var m = /^factor_(\d+)_/.exec(input.name);
        if (m) max = Math.max(max, parseInt(m[1], 10));
      });
      return max + 1;
    }

    function addRow(values) {
      var n = nextNumber();
      var html = rowTemplate.innerHTML.replace(/__n__/g, String(n));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      values = values || {};
      ["id", "auto", "name", "max", "guidance"].forEach(function (part) {
        var input = row.querySelector("[name=factor_" + n + "_" + part + "]");
        if (input && values[part] !== undefined) input.value = values[part];
      });
      rows.appendChild(row);
      return row;
    }

    form.addEventListener("input", function (e) {
      if (e.target.hasAttribute("data-sheet-weight")) total();
    });

    form.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (!button || !form.contains(button)) return;
      if (button.hasAttribute("data-sheet-add")) {
        e.preventDefault();
        var row = addRow();
        row.querySelector("input[type=text]").focus();
        total();
      } else if (button.hasAttribute("data-sheet-remove")) {
        e.preventDefault();
        button.closest("tr").remove();
        total();
      } else if (button.hasAttribute("data-sheet-apply")) {
        e.preventDefault();
        var picked = templates[form.querySelector("select[name=sheet_template]").value];
        if (!picked) return;
        var typed = Array.prototype.some.call(
          rows.querySelectorAll("input[name$=_name]"),
          function (input) { return input.value.trim() !== ""; }
        );
        if (typed && !window.confirm(table.getAttribute("data-replace-warning"))) return;
        while (rows.firstChild) rows.removeChild(rows.firstChild);
        var price = form.querySelector("input[name=price_points]");
        if (price) price.value = picked.price_points;
        picked.factors.forEach(function (f) {
          addRow({ id: f.id, auto: "", name: f.name, max: f.max, guidance: f.guidance || "" });
        });
        total();
      }
    });

    total();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
