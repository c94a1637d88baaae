/* Caidan: the few behaviours pages used to write inline (onsubmit="return confirm('…')",
   onchange="this.form.submit()", onclick="window.print()"). The Content-Security-Policy
   refuses inline handlers, so this file, served from our own origin, attaches the same
   behaviour: the attribute is read as data (never evaluated) and removed. New templates
   should use data-confirm="…", data-autosubmit and data-print instead. */
(function () {
  "use strict";
  var CONFIRM = /^\s*return\s+confirm\(\s*(['"])([\s\S]*)\1\s*\)\s*;?\s*$/;
  var AUTOSUBMIT = /^\s*this\.form\.submit\(\)\s*;?\s*$/;
  var PRINT = /^\s*(window\.)?print\(\)\s*;?\s*$/;

  function guard(el, event, message) {
    el.addEventListener(event, function (e) {
      if (!window.confirm(message)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    });
  }

  function wire(root) {
    ["onsubmit", "onclick", "onchange"].forEach(function (attr) {
      var event = attr.slice(2);
      root.querySelectorAll("[" + attr + "]").forEach(function (el) {
        var code = el.getAttribute(attr);
        var m = CONFIRM.exec(code);
        if (!code.trim()) {
          /* an empty handler does nothing: just drop it */
        } else if (m) {
          guard(el, event, m[2].replace(/\\(['"\\])/g, "$1"));
        } else if (AUTOSUBMIT.test(code)) {
          el.addEventListener(event, function () { if (el.form) el.form.submit(); });
        } else if (PRINT.test(code)) {
          el.addEventListener(event, function () { window.print(); });
        } else {
          return; /* unknown handler: left for the policy to refuse (and report) */
        }
        el.removeAttribute(attr);
      });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      guard(el, el.tagName === "FORM" ? "submit" : "click", el.getAttribute("data-confirm"));
    });
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
    root.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function () { window.print(); });
    });
  }

  /* The menu button (base.html): opens and closes #site-menu below 900 px; Escape closes it
     and gives the focus back to the button. */
  function menu(root) {
    root.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!panel) return;
      function set(open) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
        panel.classList.toggle("open", open);
      }
      button.addEventListener("click", function () {
        set(button.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          set(false);
          button.focus();
        }
      });
    });
  }

  /* Card tables: below 600 px a .table shows each row as a card, each cell led by its
     column's name (site.css, td::before { content: attr(data-label) }). The name comes
     from the header cell above; a cell that already has data-label keeps its own, and a
     cell spanning several columns gets none. */
  function label(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var head = table.tHead ? table.tHead.rows[0] : null;
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (th) {
        var text = th.textContent.replace(/\s+/g, " ").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) names.push(text);
      });
      var bodies = Array.prototype.slice.call(table.tBodies);
      if (table.tFoot) bodies.push(table.tFoot);
      bodies.forEach(function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var col = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            // a cell across several columns (an empty-list message) is no column's value
            if (!cell.hasAttribute("data-label") && names[col] && (cell.colSpan || 1) === 1) {
              cell.setAttribute("data-label", names[col]);
            }
            col += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("labelled");
    });
  }

  function start() {
    wire(document);
    menu(document);
    label(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
