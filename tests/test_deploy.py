"""The deployment files: what can be checked without running docker (which this machine cannot)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guardian.adapters.config import load_config

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_temporal_postgres_and_scalable_workers():
    services = compose()["services"]
    assert {"temporal", "postgres", "worker"} <= set(services)
    worker = services["worker"]
    assert worker["command"] == ["org", "worker"]
    assert worker["deploy"]["replicas"] == "${GUARDIAN_WORKERS:-2}"
    assert worker["environment"]["GUARDIAN_PG_DSN"].startswith("postgresql://guardian@postgres:5432/")
    assert {"postgres", "temporal"} <= set(worker["depends_on"])
    assert services["temporal"]["environment"]["POSTGRES_SEEDS"] == "postgres"
    # no password is written into the file: they come from the environment
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    secrets = re.findall(r"^\s*(\w*(?:PASSWORD|PWD|SECRET)\w*):\s*(.+)$", text, flags=re.M)
    assert len(secrets) >= 3
    assert all(value.startswith("${") for _, value in secrets), secrets


def test_the_example_config_is_valid_for_guardian(tmp_path):
    config = load_config(DEPLOY / "config" / "guardian.example.toml")
    assert config.org.state == "postgresql" and config.org.temporal == "temporal:7233"
    assert config.org.apply is False  # a deployment starts as a dry run, like guardian nightly


def test_the_containerfile_copies_what_exists_and_runs_as_a_user():
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    root = DEPLOY.parent
    for source in re.findall(r"^COPY (\S+(?: \S+)*) \S+$", text, flags=re.M):
        for part in source.split():
            assert (root / part).exists(), part
    assert "pip install '.[org]'" in text
    assert re.search(r"^USER guardian$", text, flags=re.M)
    assert 'ENTRYPOINT ["guardian"]' in text


def test_compose_file_passes_yamllint():
    pytest.importorskip("yamllint")  # a test dependency; run as this interpreter's module, PATH or not
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "yamllint",
            "-d",
            "{extends: default, rules: {line-length: {max: 120}, document-start: disable}}",
            str(DEPLOY / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_every_package_of_guardian_is_in_the_wheel():
    """The container installs guardian from its wheel (not editable): no subpackage may be left out."""
    import tomllib

    root = DEPLOY.parent
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(root).parts) for init in (root / "guardian").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
