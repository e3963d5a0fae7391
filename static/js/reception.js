// Reception by keyboard (progressive enhancement: without JavaScript the links, the "Đủ tất cả
// giấy tờ" box and the submit buttons work as they are; the server ticks every paper for it).
//  - In the procedure search, ↓ goes to the results, ↑/↓ move between them, Enter opens one
//    (the form then focuses the applicant's name).
//  - "Đủ tất cả giấy tờ" ticks and unticks every paper; unticking one paper unticks it.
//  - Enter on a tick box receives the dossier, as Enter in a text box does.
//  - When the page comes back with errors, the summary at the top takes the focus.
(function () {
  var search = document.getElementById("proc-q");
  var results = document.getElementById("proc-results");
  if (search && results) {
    var links = function () {
      return Array.prototype.slice.call(results.querySelectorAll("a"));
    };
    search.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown") return;
      var first = links()[0];
      if (first) { event.preventDefault(); first.focus(); }
    });
    results.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown" && at + 1 < all.length) {
        event.preventDefault(); all[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (at > 0 ? all[at - 1] : search).focus();
      }
    });
  }

  var form = document.getElementById("reception-form");
  if (!form) return;
  var all = document.getElementById("id_all_papers");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=documents]"));
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = boxes.every(function (b) { return b.checked; });
      });
    });
  }
  var receive = document.getElementById("receive");
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !receive || target.type !== "checkbox") return;
    event.preventDefault();
    form.requestSubmit(receive);
  });
  var summary = document.getElementById("reception-error");
  if (summary) summary.focus();
})();
