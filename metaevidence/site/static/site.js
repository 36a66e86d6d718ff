// Sortable tables: every <table class="sortable"> whose column heading holds a <button>.
// The button is reachable by keyboard (Tab, then Enter or Space); aria-sort tells a screen
// reader the current order. Cells sort by their data-value (numbers when data-type="num";
// empty values last), then by their original order, so a sort is stable. No dependencies.
(function () {
  "use strict";
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (!numeric) return v.toLowerCase();
    return v === "" ? null : parseFloat(v);
  }
  function sortBy(table, th, index) {
    var numeric = th.querySelector("button").getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, i: i, k: key(row.cells[index], numeric) };
    });
    rows.sort(function (a, b) {
      if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : (a.k === null ? 1 : -1);
      var c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
      return (ascending ? c : -c) || a.i - b.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      if (h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var button = th.querySelector("button");
        if (button) button.addEventListener("click", function () { sortBy(table, th, index); });
      });
    });
  });
})();
