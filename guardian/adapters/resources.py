"""Where guardian's bundled data (rule packs, templates) lives.

In a checkout the data is the top-level `rules/` folder; in an installed
wheel the same folder is the `guardian.rules` package. Both are found the
same way, so the code never assumes it runs from the source tree.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    try:
        spec = importlib.util.find_spec("guardian.rules")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "default.toml").is_file():
                return Path(location)
    return Path(__file__).resolve().parents[2] / "rules"


def templates_dir() -> Path:
    return rules_dir() / "templates"
