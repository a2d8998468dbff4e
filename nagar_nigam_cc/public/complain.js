(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form) { return; }
  // One submit only: a second tap while the first is on its way would send the photo twice (the
  // server registers once either way).
  form.addEventListener("submit", function () {
    var button = document.getElementById("send");
    window.setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
  });
  var locate = document.getElementById("locate");
  if (!locate || !navigator.geolocation) { return; }
  var said = document.getElementById("locate-status");
  locate.hidden = false;
  locate.addEventListener("click", function () {
    said.textContent = locate.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (where) {
      document.getElementById("id_latitude").value = where.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = where.coords.longitude.toFixed(6);
      said.textContent = locate.dataset.done.replace("{m}", String(Math.round(where.coords.accuracy)));
    }, function () {
      said.textContent = locate.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
})();
