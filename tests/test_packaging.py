"""Packaging by reading: the Dockerfile, the Makefile and the CLI agree with the project (no Docker engine here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_slim_python311_non_root_with_healthcheck_on_healthz():
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arg for op, arg in steps if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    health = [arg for op, arg in steps if op == "HEALTHCHECK"]
    assert health and "/healthz" in health[0]


def test_dockerfile_copies_existing_paths_and_runs_existing_commands():
    steps = instructions()
    for op, arg in steps:
        if op == "COPY":
            for source in arg.split()[:-1]:
                assert (ROOT / source).exists(), source
    commands = set(app.registered_commands and [c.name or c.callback.__name__ for c in app.registered_commands])
    cmd = next(arg for op, arg in steps if op == "CMD")
    for used in re.findall(r"injury-risk ([a-z-]+)", cmd):
        assert used.replace("-", "_") in {c.replace("-", "_") for c in commands}, used
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "injury-risk" in scripts


def test_cli_lists_the_four_commands():
    output = CliRunner().invoke(app, ["--help"]).output
    for command in ("simulate", "train", "serve", "score"):
        assert command in output


def test_makefile_has_serve_and_test_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)
