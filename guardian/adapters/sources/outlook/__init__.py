"""Microsoft 365 / Outlook, through Microsoft Graph (requests) and msal: one module per job.

- `source`: `OutlookSource`, the registered `outlook:` kind, tying the rest together;
- `transport`: the Graph session, the one retry policy, Graph's errors as guardian's;
- `sync`: the raw items of a window (calendarView, or delta over a cached horizon);
- `series`: when a recurring series ends (its master's recurrence, read once);
- `mapping`: a Graph event -> `Event` (pure: no I/O, no HTTP library);
- `writes`: focus blocks (create, move, delete; batched);
- `rsvp`: answering an invitation;
- `auth`: the sign-in and the msal token cache.

May import `guardian.core`, `guardian.domain`, `guardian.errors` and the rest of
`guardian.adapters`. requests and msal are imported only here, and lazily, so
`guardian --help` never pays for them.
"""
