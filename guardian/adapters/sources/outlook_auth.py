"""Moved to `guardian.adapters.sources.outlook.auth`; kept for old imports.

`guardian.usecases.auth` still imports this path. Once it imports
`guardian.adapters.sources.outlook.auth`, delete this module.
"""

from guardian.adapters.sources.outlook.auth import login, logout, token_cache_path  # noqa: F401
