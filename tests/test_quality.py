"""The code stays ruff-clean, ruff-formatted and mypy --strict-clean, the frontend passes
TypeScript's check of its JavaScript, and every setting and CLI option is documented."""

import subprocess
import sys

from server.cli import parse_args
from server.settings import Settings
from tests.live_server import ROOT
from tests.node import missing, node_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_frontend_types_check() -> None:
    """tsc, as package-lock.json pins it (`npm ci`), checks frontend/ as tsconfig.json says."""
    node = node_path()
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    if not tsc.is_file():
        missing("TypeScript (`npm ci`)")
    result = subprocess.run(
        [node, str(tsc), "--noEmit", "-p", "tsconfig.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_and_cli_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"SPACEFOLD_{name.upper()}" in readme, name
    for option in vars(parse_args([])):
        assert f"--{option.replace('_', '-')}" in readme, option
