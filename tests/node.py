"""Run the page's own JavaScript in Node, for modules that need no DOM: a test hands it data
as JSON and gets JSON back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.live_server import ROOT

FRONTEND = ROOT / "frontend"


def missing(tool: str) -> NoReturn:
    """A tool the test needs is not installed: a failure under CI (.ci/run installs every
    one), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    pytest.skip(f"{tool} is not installed")


def node_path() -> str:
    """Where node is (see ``missing`` when it is not)."""
    node = shutil.which("node")
    if node is None:
        missing("node")
    return node


def run_js(script: str, data: Any, tmp_path: Path) -> Any:
    """Run ES module ``script`` with ``data`` as the constant ``DATA``; it prints its answer as
    JSON (``console.log(JSON.stringify(...))``). ``@frontend/`` in an import names frontend/."""
    node = node_path()
    source = script.replace("@frontend/", FRONTEND.as_uri() + "/")
    path = tmp_path / "check.mjs"
    path.write_text(f"const DATA = {json.dumps(data)};\n{source}", encoding="utf-8")
    done = subprocess.run(
        [node, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
