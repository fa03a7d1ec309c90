"""Microsoft 365 / Outlook, through Microsoft Graph (requests) and msal.

`source` holds `OutlookSource` (the registered `outlook:` kind) and `auth`
the sign-in and the msal token cache. requests and msal are imported lazily,
inside this package only, so `guardian --help` never pays for them.
"""
