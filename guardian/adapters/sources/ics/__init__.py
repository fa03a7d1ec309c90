"""iCalendar files: an .ics export read as a calendar, and the block file beside it.

`source` reads a file (several VCALENDARs, recurring series expanded with
recurring-ical-events); `blockfile` is where guardian writes focus blocks for
an .ics calendar, since the user's own file is never rewritten.
"""
