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
