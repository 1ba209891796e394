// Prefill the time-zone select with the browser's zone while it is on "automatic".
(function () {
  "use strict";
  var select = document.getElementById("f-tz");
  if (!select || select.value !== "" || !window.Intl) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  for (var i = 0; i < select.options.length; i += 1) {
    if (select.options[i].value === zone) { select.value = zone; return; }
  }
})();
