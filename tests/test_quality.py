"""The code stays ruff- and mypy --strict-clean, and every setting and CLI option is documented."""

import subprocess
import sys

from server.cli import parse_args
from server.settings import Settings
from tests.live_server import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_and_cli_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"SPACEFOLD_{name.upper()}" in readme, name
    for option in vars(parse_args([])):
        assert f"--{option.replace('_', '-')}" in readme, option
