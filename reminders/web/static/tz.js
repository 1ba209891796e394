// Prefill the time-zone select with the browser's zone while it is on "automatic".
// The short form on the home and region pages lists only the venues' zones: there the
// reader's own zone is added, named as the browser names it in the page's language.
(function () {
  "use strict";
  var select = document.getElementById("f-tz");
  if (!select || select.value !== "" || !window.Intl) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) { return; }
  for (var i = 0; i < select.options.length; i += 1) {
    if (select.options[i].value === zone) { select.value = zone; return; }
  }
  var label = zone;
  try {
    var parts = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      timeZone: zone, timeZoneName: "longGeneric"
    }).formatToParts(new Date());
    for (var j = 0; j < parts.length; j += 1) {
      if (parts[j].type === "timeZoneName") { label = parts[j].value; }
    }
  } catch (e) { return; }
  var option = document.createElement("option");
  option.value = zone;
  option.textContent = label;
  select.appendChild(option);
  select.value = zone;
})();
