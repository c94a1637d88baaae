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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
