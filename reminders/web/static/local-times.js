// With JavaScript, each timed event also shows its times in the reader's own zone,
// written by the browser in the page's language. Without it the page is complete: the
// venue's times and zone are in the text.
(function () {
  "use strict";
  if (!window.Intl || !document.querySelectorAll) { return; }
  var lang = document.documentElement.lang || "en";
  // UN documents write day-month-year in English and Western digits in Arabic.
  var locale = { en: "en-GB", ar: "ar-u-nu-latn", zh: "zh-CN" }[lang] || lang;
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  var options = {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  };
  if (zone) { options.timeZone = zone; }
  var format;
  try { format = new Intl.DateTimeFormat(locale, options); } catch (e) { return; }
  var nodes = document.querySelectorAll(".your-time[data-start]");
  for (var i = 0; i < nodes.length; i += 1) {
    var node = nodes[i];
    var start = new Date(node.getAttribute("data-start"));
    var endText = node.getAttribute("data-end");
    if (isNaN(start.getTime())) { continue; }
    var text = format.format(start);
    if (endText && format.formatRange) {
      var end = new Date(endText);
      if (!isNaN(end.getTime())) { text = format.formatRange(start, end); }
    }
    var value = document.createElement("bdi");
    value.textContent = text;
    node.textContent = (node.getAttribute("data-label") || "") + " ";
    node.appendChild(value);
    node.hidden = false;
  }
})();
