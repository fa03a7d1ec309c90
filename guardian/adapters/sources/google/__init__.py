"""Google Calendar, through google-api-python-client.

`source` holds `GoogleSource` (the registered `google:` kind) and `auth`
the sign-in and saved credentials. Google's libraries are imported lazily,
inside this package only, so `guardian --help` never pays for them.
"""
