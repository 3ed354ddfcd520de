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

// Fieldsets that apply only to some options of a choice (data-when-field, data-when-values) show only while
// one of those options is chosen. The server reads only the fields that apply, so hiding loses nothing.
function showWhatApplies(form) {
  form.querySelectorAll("fieldset[data-when-field]").forEach(function (group) {
    var name = group.dataset.whenField;  // a choice on the form, or one made before (a hidden field)
    var chosen = form.querySelector("input[name='" + name + "']:checked, input[type='hidden'][name='" + name + "']");
    var values = group.dataset.whenValues.split(" ");
    group.hidden = !(chosen && values.indexOf(chosen.value) !== -1);
  });
}
document.addEventListener("change", function (event) {
  var form = event.target.form;
  if (form && event.target.type === "radio" && form.querySelector("fieldset[data-when-field]")) showWhatApplies(form);
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

// Tables on a phone: the stylesheet stacks each row, and each cell shows its column's heading. The roles
// keep the table a table for screen readers once its display is no longer a table's.
function stackTables(root) {
  root.querySelectorAll("table.table").forEach(function (table) {
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
}

// What the script adds to a page's content: on load, and again when a page updates itself (below).
function enhance(root) {
  root.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("fieldset[data-when-field]")) showWhatApplies(form);
  });
  stackTables(root);
}
enhance(document);

// Work the worker finishes a moment later (an approved proposal carried out): the page marks it with
// data-pending="<what to say when done>"; the script reads the page again every two seconds, for a minute
// at most, and once the mark is gone shows the new content in place and says so through the status
// region. Nothing reloads or moves by itself: the focus stays where it was where it still exists.
(function () {
  var pending = document.querySelector("[data-pending]");
  var main = document.getElementById("inhoud");
  if (!pending || !main || !window.fetch || !window.DOMParser) return;
  var message = pending.getAttribute("data-pending");
  var tries = 0;
  function later() { if (++tries < 30) setTimeout(poll, 2000); }
  function poll() {
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html");
        var next = fresh && fresh.getElementById("inhoud");
        if (!next || fresh.querySelector("[data-pending]")) return later();
        main.innerHTML = next.innerHTML;
        enhance(main);
        var status = document.querySelector("[data-announce]");
        if (status) status.textContent = message;
      })
      .catch(later);
  }
  later();
})();
