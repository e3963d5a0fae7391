// Behaviour the pages used to write inline, kept here so the Content Security Policy allows no
// inline script: a button marked data-print prints the page, a select marked
// data-submit-on-change sends its form as soon as a choice is made.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) {
    select.form.submit();
  }
});
