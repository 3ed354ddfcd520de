// Progressive enhancement only: every page works without this file.
// A link in an error summary moves the focus into its field (a plain anchor only scrolls to it).
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  var label = document.querySelector("label[for='" + field.id + "']");
  (label || field).scrollIntoView();
  field.focus();
});

// The main menu on a phone: one row with a "Menu" button that folds the links open and shut.
(function () {
  var toggle = document.querySelector(".main-nav__toggle");
  if (!toggle) return;
  document.documentElement.classList.add("has-menu-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();

// Tables on a phone: the stylesheet stacks each row, and each cell shows its column's heading. The roles
// keep the table a table for screen readers once its display is no longer a table's.
document.querySelectorAll("table.table").forEach(function (table) {
  var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
    return th.textContent.trim();
  });
  if (!headings.length || table.classList.contains("table--keep")) return;
  table.classList.add("table--stackable");
  table.setAttribute("role", "table");
  table.querySelectorAll("tr").forEach(function (row) {
    row.setAttribute("role", "row");
    var column = 0;
    Array.prototype.forEach.call(row.children, function (cell) {
      var inHead = cell.parentElement.parentElement.tagName === "THEAD";
      cell.setAttribute("role", inHead ? "columnheader" : (cell.tagName === "TH" ? "rowheader" : "cell"));
      var span = parseInt(cell.getAttribute("colspan") || "1", 10);
      if (!inHead && span === 1 && headings[column] && !cell.hasAttribute("data-label")) {
        cell.setAttribute("data-label", headings[column]);
      }
      column += span;
    });
  });
});

// After a search, the focus goes to what was found (the element marked data-results, else the first thing after
// the search form: the results' table, or the sentence that says nothing was found), unless the page shows an
// error summary.
(function () {
  var KEY = "erkenning:focus-results";
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[role='search']")) {
      try { sessionStorage.setItem(KEY, "1"); } catch (e) { /* storage off: the focus stays put */ }
    }
  });
  var wanted = false;
  try { wanted = sessionStorage.getItem(KEY) === "1"; sessionStorage.removeItem(KEY); } catch (e) { return; }
  var form = document.querySelector("form[role='search']");
  if (!wanted || !form || document.querySelector("[data-error-summary]")) return;
  // A page with more than one way to search marks its results (the register: [data-results]).
  var target = document.querySelector("[data-results]") || form.nextElementSibling;
  while (target && !target.textContent.trim()) target = target.nextElementSibling;
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus();
})();
