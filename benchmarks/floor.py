"""The floor a calendar audit cannot go below: icalendar's parse and recurring-ical-events' expansion.

Run as its own process by the benchmarks (start-up and imports included, as
for guardian): parse every VCALENDAR of the file, expand [START, END) in
Europe/Berlin, print the number of instances.

    python benchmarks/floor.py FILE.ics 2026-01-01 2027-01-01
"""

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

path, first, last = sys.argv[1], sys.argv[2], sys.argv[3]
tz = ZoneInfo("Europe/Berlin")
start = datetime.fromisoformat(first).replace(tzinfo=tz)
end = datetime.fromisoformat(last).replace(tzinfo=tz)
with open(path, "rb") as handle:
    data = handle.read()
count = 0
for cal in icalendar.Calendar.from_ical(data, multiple=True):
    count += len(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end))
print(count)
