// Parse an iCalendar file with ical.js (https://github.com/kewisch/ical.js) and print
// what a strict consumer sees, as JSON: the method, the time zones it can resolve, and
// per component its UID, SEQUENCE, times (as instants, with the zone they resolved to),
// RECURRENCE-ID, STATUS, attendees and summary. guardian's tests compare that with
// what guardian meant to write. Usage: node icaljs_dump.mjs ICALJS_PREFIX FILE
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [, , prefix, file] = process.argv;
const lib = pathToFileURL(join(prefix, "node_modules", "ical.js", "dist", "ical.js")).href;
const ICAL = (await import(lib)).default;

const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const zones = root.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  return tz.tzid;
});

function when(comp, name) {
  const prop = comp.getFirstProperty(name);
  if (!prop) return null;
  const time = prop.getFirstValue();
  const zone = time.zone;
  return {
    instant: time.toJSDate().toISOString(),
    zone: zone ? zone.tzid : null,
    floating: zone === ICAL.Timezone.localTimezone || zone === undefined || zone === null,
    tzid: prop.getParameter("tzid") || null,
    date_only: time.isDate,
  };
}

const components = [];
for (const comp of root.getAllSubcomponents()) {
  if (comp.name === "vtimezone") continue;
  components.push({
    name: comp.name,
    uid: comp.getFirstPropertyValue("uid"),
    sequence: comp.getFirstPropertyValue("sequence"),
    summary: comp.getFirstPropertyValue("summary"),
    status: comp.getFirstPropertyValue("status"),
    dtstart: when(comp, "dtstart"),
    dtend: when(comp, "dtend"),
    recurrence_id: when(comp, "recurrence-id"),
    attendees: comp.getAllProperties("attendee").map((p) => ({
      value: p.getFirstValue(),
      partstat: p.getParameter("partstat") || null,
    })),
    comment: comp.getFirstPropertyValue("comment"),
  });
}
console.log(JSON.stringify({ method: root.getFirstPropertyValue("method"), zones, components }));
