"""Moved to `guardian.adapters.sources.google.auth`; kept for old imports.

`guardian.usecases.auth` still imports this path. Once it imports
`guardian.adapters.sources.google.auth`, delete this module.
"""

from guardian.adapters.sources.google.auth import (  # noqa: F401
    SCOPES_READ,
    SCOPES_WRITE,
    load_credentials,
    login,
    token_file_of,
)
