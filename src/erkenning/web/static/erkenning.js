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
document.querySelectorAll("form").forEach(function (form) {
  if (form.querySelector("fieldset[data-when-field]")) showWhatApplies(form);
});
document.addEventListener("change", function (event) {
  var form = event.target.form;
  if (form && event.target.type === "radio" && form.querySelector("fieldset[data-when-field]")) showWhatApplies(form);
});
