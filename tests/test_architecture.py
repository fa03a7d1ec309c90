"""The import contract: the folders are the architecture, and the imports keep it so.

Read from the source (every `import` and `from ... import`, lazy ones inside
functions included), so a shortcut that would work at run time still fails
here. The layers, from the inside out (README, "Development"):

    core  <-  lint  <-  domain  <-  adapters  <-  usecases  <-  render  <-  cli

A layer may import the layers inside it, never one outside. `guardian.errors`
is shared by all. Provider SDKs stay inside their source package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "guardian"
LAYERS = ["core", "lint", "domain", "adapters", "usecases", "render", "cli"]

#: the edges the rules engine may touch: reading a pack file and finding the bundled packs
LINT_EDGES = {"guardian.adapters.tomlfile", "guardian.adapters.resources"}

#: client libraries that talk to one provider, and the packages allowed to import them
SDKS = {
    "googleapiclient": "guardian.adapters.sources.google",
    "google_auth_oauthlib": "guardian.adapters.sources.google",
    "google": "guardian.adapters.sources.google",
    "httplib2": "guardian.adapters.sources.google",
    "msal": "guardian.adapters.sources.outlook",
    "caldav": "guardian.adapters.sources.caldav",
    "temporalio": "guardian.adapters.temporal",
    "psycopg": "guardian.adapters.state_pg",
    "slack_sdk": "guardian.adapters.chat.slack",
}
#: modules that reach files, the network, processes or the clock: never in the pure layers
IMPURE_MODULES = {
    "os",
    "pathlib",
    "socket",
    "sqlite3",
    "subprocess",
    "shutil",
    "tempfile",
    "requests",
    "urllib.request",
    "http",
    "smtplib",
    "time",
    "platformdirs",
    "tomllib",
    "io",
}
PURE = ["core", "domain"]


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(path: Path, *, runtime_only: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file (`runtime_only`: not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(child) for inner in node.body for child in ast.walk(inner))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports (guardian.x.y)"
            assert node.module is not None
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "guardian" and parts[1] in LAYERS else None


ALL = modules()


@pytest.mark.parametrize("module", sorted(ALL))
def test_a_layer_imports_only_the_layers_inside_it(module):
    own = layer_of(module)
    if own is None:
        return  # guardian, guardian.__main__, guardian.errors
    allowed = set(LAYERS[: LAYERS.index(own) + 1])
    for line, target in imports(ALL[module]):
        other = layer_of(target)
        if other is None or other in allowed:
            continue
        if own == "lint" and any(target == edge or target.startswith(edge + ".") for edge in LINT_EDGES):
            continue
        if own == "render" and other == "usecases":
            continue  # renderers take the use cases' result types
        pytest.fail(f"{ALL[module]}:{line}: {module} ({own}) imports {target} ({other})")


@pytest.mark.parametrize(
    "module", sorted(m for m in ALL if layer_of(m) in PURE or m.startswith("guardian.lint"))
)
def test_the_pure_layers_touch_no_file_network_or_clock(module):
    allow_files = module == "guardian.lint.pack"  # loads pack files through adapters.tomlfile
    for line, target in imports(ALL[module], runtime_only=True):
        top = target.split(".")[0]
        if (top in IMPURE_MODULES or target in IMPURE_MODULES) and not (allow_files and top == "pathlib"):
            pytest.fail(f"{ALL[module]}:{line}: {module} is pure but imports {target}")
    source = ALL[module].read_text(encoding="utf-8")
    for call in ("datetime.now(", ".today(", ".utcnow(", "time.time(", "os.environ"):
        assert call not in source, (
            f"{ALL[module]}: {module} is pure but reads the clock or environment ({call})"
        )


@pytest.mark.parametrize("module", sorted(ALL))
def test_provider_sdks_stay_inside_their_source_package(module):
    for line, target in imports(ALL[module]):
        top = target.split(".")[0]
        home = SDKS.get(top)
        if home is None:
            continue
        if top == "google" and not target.startswith(("google.auth", "google.oauth2", "google_auth")):
            continue
        assert module == home or module.startswith((home + ".", home + "_")), (
            f"{ALL[module]}:{line}: {target} belongs to {home}, not {module}"
        )


def test_every_package_says_what_lives_there_and_what_it_may_import():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"guardian/{layer}/__init__.py must say what it may import"
