"""CalDAV calendars (Nextcloud, Fastmail, iCloud, Radicale, mailbox.org, Posteo, ...).

`source = "caldav:URL"` in `[calendars.NAME]`, URL being the calendar
collection. Split as the other providers are:

- `connection`: the `caldav` library's client (authentication, the HTTP
  session), the password from an environment variable or a 0600 file, one
  retry policy, errors translated into one line without URL secrets;
- `protocol`: the request bodies (RFC 4791 calendar-query and multiget,
  RFC 6578 sync-collection, PROPFIND) and the names of what comes back;
- `collection`: one calendar collection synced into the state store (a
  server-side time-range query first, then the sync token or the ctag, so a
  run on an unchanged calendar costs one request), and the conditional
  writes (If-None-Match: * to create, If-Match: <etag> to change or delete);
- `source`: reading, mapped to Events by the .ics source's own mapping;
- `writer`: guardian's focus blocks in the calendar the person chose.
"""
