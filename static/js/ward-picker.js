// Progressive enhancement of the address picker: once a province is chosen, the ward list
// shows only its wards. Without JavaScript every ward is listed, grouped by province, and the
// server checks that the ward belongs to the province.
(function () {
  document.querySelectorAll("select[data-ward-of]").forEach(function (wards) {
    var province = document.getElementById("id_" + wards.dataset.wardOf);
    if (!province) return;
    var groups = Array.prototype.slice.call(wards.querySelectorAll("optgroup"));
    var names = {};
    Array.prototype.forEach.call(province.options, function (o) { names[o.textContent] = o.value; });
    function filter() {
      groups.forEach(function (group) {
        var show = !province.value || names[group.label] === province.value;
        group.hidden = !show;
        group.disabled = !show;
      });
      var chosen = wards.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) wards.value = "";
    }
    province.addEventListener("change", filter);
    filter();
  });
})();
