"""Calendars published at a URL: `https://...` and `webcal://...` subscriptions.

Google's "secret address in iCal format", Outlook's and iCloud's published
calendars and Nextcloud share links all serve one .ics file. `fetch` gets it
with a conditional GET against a copy cached in the user's cache dir (so an
unchanged calendar costs one 304), `cache` keeps that copy (0600), and
`source` reads it with the .ics source's parsing and mapping. The address is
a secret: it is only ever shown through `guardian.adapters.redact`.
"""
