/* Caidan: the row editor (web/rows.py, web/_rows_widget.html). Shows the 添加一行 and 删除
   buttons (hidden without JavaScript, where the blank rows do), numbers the rows again after
   each change, and keeps the totals of the money columns as the person types. Loaded by each
   editor on a page; each editor is wired once. */
(function () {
  "use strict";

  function fen(text) {
    var t = (text || "").replace(/,/g, "").trim();
    if (!t) return 0;
    if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
    return Math.round(parseFloat(t) * 100);
  }

  function money(total) {
    var negative = total < 0;
    var abs = Math.abs(total);
    var yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (abs % 100)).slice(-2);
    return (negative ? "-" : "") + yuan + "." + cents;
  }

  function wire(editor) {
    if (editor.hasAttribute("data-rows-wired")) return;
    editor.setAttribute("data-rows-wired", "");
    var body = editor.querySelector("tbody");
    var template = editor.querySelector("template[data-row-template]");
    var add = editor.querySelector("[data-row-add]");
    var rowWord = editor.getAttribute("data-row-label") || "#";
    var removeWord = editor.getAttribute("data-remove-label") || "#";
    var next = 0;
    body.querySelectorAll("input[name], select[name]").forEach(function (input) {
      var m = /-(\d+)-[^-]+$/.exec(input.name);
      if (m) next = Math.max(next, parseInt(m[1], 10) + 1);
    });

    function renumber() {
      Array.prototype.forEach.call(body.rows, function (row, i) {
        var n = String(i + 1);
        var head = row.querySelector(".rows-n");
        if (head) head.textContent = n;
        row.querySelectorAll("input[data-label-text], select[data-label-text]").forEach(function (input) {
          input.setAttribute(
            "aria-label", rowWord.replace("#", n) + input.getAttribute("data-label-text")
          );
        });
        var remove = row.querySelector("[data-row-remove]");
        if (remove) remove.setAttribute("aria-label", removeWord.replace("#", n));
      });
    }

    function totals() {
      editor.querySelectorAll("[data-total]").forEach(function (cell) {
        var key = cell.getAttribute("data-total");
        var sum = 0;
        var ok = true;
        body.querySelectorAll("input[data-money='" + key + "']").forEach(function (input) {
          var v = fen(input.value);
          if (v === null) ok = false; else sum += v;
        });
        cell.textContent = ok ? money(sum) : "—";
      });
    }

    function wireRow(row) {
      var remove = row.querySelector("[data-row-remove]");
      if (!remove) return;
      remove.hidden = false;
      remove.addEventListener("click", function () {
        var rows = body.rows.length;
        var focusTo = row.nextElementSibling || row.previousElementSibling;
        if (rows > 1) {
          row.remove();
        } else {
          row.querySelectorAll("input, select").forEach(function (input) { input.value = ""; });
        }
        renumber();
        totals();
        var target = focusTo && focusTo.isConnected ? focusTo.querySelector("input, select") : add;
        if (target) target.focus();
      });
    }

    Array.prototype.forEach.call(body.rows, wireRow);
    if (add && template) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var fragment = template.content.cloneNode(true);
        var n = String(next++);
        fragment.querySelectorAll("input, select").forEach(function (input) {
          input.name = input.name.replace("__n__", n);
          input.id = input.id.replace("__n__", n);
        });
        var row = fragment.querySelector("tr");
        body.appendChild(fragment);
        wireRow(row);
        renumber();
        var first = row.querySelector("input, select");
        if (first) first.focus();
      });
    }
    editor.addEventListener("input", function (e) {
      if (e.target && e.target.hasAttribute("data-money")) totals();
    });
    renumber();
    totals();
  }

  function start() {
    document.querySelectorAll("[data-rows]").forEach(wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
