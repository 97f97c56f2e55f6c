"""Imports run one way: nets <- engine <- {spacefold (the Python API), server} <- the command.

The command is ``spacefold/cli.py`` and ``spacefold/__main__.py``: the only modules of the API
package that may import the server. Read from the source (every import, inside functions and
under TYPE_CHECKING too), and checked in a fresh interpreter: the engine and the Python API load
no web framework.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import ROOT

# What each package of the project may import from the project (itself included).
MAY_IMPORT: dict[str, set[str]] = {
    "nets": {"nets"},
    "engine": {"nets", "engine"},
    "spacefold": {"nets", "engine", "spacefold"},
    "server": {"nets", "engine", "server"},
}
COMMAND = {"spacefold/cli.py", "spacefold/__main__.py"}  # above both: may import anything
WEB = {"fastapi", "starlette", "uvicorn", "pydantic_settings", "websockets"}
# Third-party packages each may not import at all.
MAY_NOT_IMPORT: dict[str, set[str]] = {"nets": WEB, "engine": WEB, "spacefold": WEB}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}:{node.lineno}: a relative import; name the package")
    return out


def wrong_way(package: str) -> list[str]:
    """Every import of `package`'s files that runs the wrong way, as path:line: what."""
    ours = set(MAY_IMPORT)
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in COMMAND:
            continue
        for line, name in imported(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if name in ours and name not in MAY_IMPORT[package]:
                problems.append(f"{where}: {package} imports {name}")
            if name in MAY_NOT_IMPORT.get(package, set()):
                problems.append(f"{where}: {package} imports {name}")
    return problems


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_run_one_way(package: str) -> None:
    assert (ROOT / package / "__init__.py").is_file()
    assert wrong_way(package) == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f():\n    from server.app import create_app\n")
    assert imported(tmp_path / "bad.py") == [(2, "server")]


def test_the_command_is_all_that_imports_the_server() -> None:
    for name in COMMAND:
        assert (ROOT / name).is_file()
    launcher = {n for _, n in imported(ROOT / "spacefold/cli.py")}
    assert {"server", "spacefold"} <= launcher


def test_the_engine_and_the_python_api_load_no_web_framework() -> None:
    code = (
        "import json, sys, engine.session, engine.state, engine.experiment, engine.lessons, "
        "engine.events, spacefold, spacefold.render; print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert loaded & WEB == set()
    assert "server" not in loaded
