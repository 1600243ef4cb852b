"""Fixtures: a fresh example project written by ``crm-bridge init``, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from crm_bridge.cli import app

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke the CLI with a clean environment (no CRM_BRIDGE_* from the machine)."""
    import os

    for key in list(os.environ):
        if key.startswith("CRM_BRIDGE_"):
            monkeypatch.delenv(key)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(app, list(args), env=env)

    return invoke


@pytest.fixture
def project(tmp_path: Path, run: Run) -> Path:
    """A project folder made by ``crm-bridge init``."""
    folder = tmp_path / "proj"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    return folder
