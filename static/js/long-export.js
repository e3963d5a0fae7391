// A long export (the ledger's PDF for a whole period can take several seconds) says that it
// is being made: the link reads "Đang tạo tệp PDF…", is marked busy, and a second click is
// ignored. Without JavaScript the link works as it is. Coming back to the page (the browser's
// back button) puts the link back as it was.
(function () {
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-long-export]"));
  var status = document.getElementById("export-status");
  links.forEach(function (link) {
    var label = link.textContent;
    link.addEventListener("click", function (event) {
      if (link.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      link.setAttribute("aria-busy", "true");
      link.setAttribute("aria-disabled", "true");
      link.textContent = link.dataset.busyText;
      if (status) status.textContent = link.dataset.busyStatus;
    });
    window.addEventListener("pageshow", function () {
      link.removeAttribute("aria-busy");
      link.removeAttribute("aria-disabled");
      link.textContent = label;
      if (status) status.textContent = "";
    });
  });
})();
