"""Google Calendar, through google-api-python-client: one module per job.

- `source`: `GoogleSource`, the registered `google:` kind, tying the rest together;
- `transport`: the API client, the one retry policy, Google's errors as guardian's;
- `sync`: the raw items of a window (sync tokens over a cached horizon);
- `series`: when a recurring series ends (its master, read once);
- `mapping`: a Google event resource -> `Event` (pure: no I/O, no Google library);
- `writes`: focus blocks (create, move, delete; batched);
- `rsvp`: answering an invitation;
- `auth`: the sign-in and the saved credentials.

May import `guardian.core`, `guardian.domain`, `guardian.errors` and the rest of
`guardian.adapters`. googleapiclient, google.auth and httplib2 are imported only
here, and lazily, so `guardian --help` never pays for them.
"""
