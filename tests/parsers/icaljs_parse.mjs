// Parse .ics files with Mozilla's ical.js (the library inside Thunderbird) and print
// what it understood as JSON, one entry per file, so the Python tests can compare it.
//
// usage: node icaljs_parse.mjs NODE_MODULES_DIR FILE.ics...
// Exit status 1 if any file fails to parse, has a timed event whose zone ical.js
// could not resolve (it silently treats such times as floating), or has no VCALENDAR.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, ...files] = process.argv.slice(2);
const pkgDir = join(nodeModules, "ical.js");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const entry = (pkg.exports && pkg.exports.import) || pkg.main;
const ICAL = (await import(pathToFileURL(join(pkgDir, entry)).href)).default;

function moment(time) {
  if (time === null) return null;
  if (time.isDate) return { date: time.toString() };
  const zone = time.zone ? time.zone.tzid : null;
  return { utc: time.toUnixTime(), tzid: zone };
}

const report = {};
let failed = false;
for (const file of files) {
  try {
    const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
    if (root.name !== "vcalendar") throw new Error(`top component is ${root.name}`);
    for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(vtimezone);
    }
    const events = root.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      const start = event.startDate;
      const end = event.endDate;
      for (const time of [start, end]) {
        if (time && !time.isDate && (!time.zone || time.zone.tzid === "floating")) {
          throw new Error(`${event.uid}: a time ical.js reads as floating`);
        }
      }
      return {
        uid: event.uid,
        summary: event.summary,
        status: vevent.getFirstPropertyValue("status"),
        start: moment(start),
        end: moment(end),
      };
    });
    report[file] = { name: root.getFirstPropertyValue("x-wr-calname"), events };
  } catch (error) {
    failed = true;
    report[file] = { error: String(error) };
  }
}
// exitCode, not exit(): exit() can cut off output still queued for a pipe.
process.stdout.write(JSON.stringify(report));
process.exitCode = failed ? 1 : 0;
