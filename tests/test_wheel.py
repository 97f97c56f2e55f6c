"""A wheel built from the checkout installs like any package: in a fresh environment, away from
the checkout, ``spacefold`` serves the page, its scripts, Plotly.js and every lesson."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import ROOT, live_server

# Not part of what a clone holds: caches, builds, browser-test output, npm's folder.
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.egg-info", "build", "dist", "test-artifacts", "node_modules"
)


@dataclass(frozen=True)
class Installed:
    """The copy of the checkout a wheel was built from, a virtual environment holding that
    wheel, and a folder outside both to run in."""

    source: Path
    venv: Path
    elsewhere: Path
    env: dict[str, str]

    def python(self, code: str) -> str:
        """What ``code`` prints when the environment's Python runs it from ``elsewhere``."""
        return subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            cwd=self.elsewhere,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout


def build_wheel(source: Path, into: Path) -> Path:
    """The wheel of a copy of the checkout made at ``source`` (a build writes beside its
    sources), built offline."""
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(into),
            str(source),
        ],
        check=True,
        timeout=120,
    )
    (wheel,) = into.glob("spacefold-*.whl")
    return wheel


def make_venv(venv: Path) -> None:
    """A virtual environment whose only spacefold is what gets installed in it. Its dependencies
    (torch and the rest) come from the site folders of the Python running the tests, named in a
    ``.pth`` file: these are on the path after its own, and their ``.pth`` files (an editable
    install of the checkout among them) are not run."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60
    )
    own = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    outer = [
        *site.getsitepackages(),
        *([site.getusersitepackages()] if site.ENABLE_USER_SITE else []),
    ]
    (own / "dependencies.pth").write_text("".join(f"{path}\n" for path in outer))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    wheel = build_wheel(source, root)
    venv = root / "venv"
    make_venv(venv)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SPACEFOLD_") and name not in ("PYTHONPATH", "PYTHONHOME")
    }
    return Installed(source, venv, elsewhere, env)


@pytest.fixture(scope="module")
def url(installed: Installed) -> Iterator[str]:
    spacefold = str(installed.venv / "bin" / "spacefold")
    with live_server(
        "--device",
        "cpu",
        program=[spacefold],
        cwd=installed.elsewhere,
        env=installed.env,
        timeout=60,
    ) as server:
        yield server.url


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
    return body


def get_json(url: str) -> Any:
    return json.loads(get(url))


def test_the_installed_package_runs_from_the_environment_not_the_checkout(
    installed: Installed,
) -> None:
    where = json.loads(
        installed.python(
            "import json, server, spacefold; from server.settings import Settings; s = Settings(); "
            "print(json.dumps([server.__file__, spacefold.__file__, str(s.frontend_dir), "
            "str(s.lessons_dir)]))"
        )
    )
    for path in where:
        assert Path(path).resolve().is_relative_to(installed.venv.resolve()), path


def test_the_page_and_every_file_of_the_frontend_are_served(installed: Installed, url: str) -> None:
    frontend = Path(
        installed.python("from server.settings import FRONTEND_DIR; print(FRONTEND_DIR)").strip()
    )
    assert get(url) == (frontend / "index.html").read_bytes()
    source = installed.source / "frontend"
    files = sorted(path for path in source.rglob("*") if path.is_file())
    assert len(files) > 10
    for path in files:
        assert get(url + "static/" + path.relative_to(source).as_posix()) == path.read_bytes(), path


def test_plotly_is_served(url: str) -> None:
    script = get(url + "vendor/plotly.min.js")
    assert len(script) > 1_000_000 and b"plotly" in script[:2000].lower()


def test_every_lesson_is_listed_and_served(installed: Installed, url: str) -> None:
    listing = get_json(url + "api/lessons")
    names = [entry["name"] for entry in listing["lessons"]]
    assert names == sorted(path.stem for path in (installed.source / "lessons").glob("*.json"))
    assert listing["problems"] == {}
    for entry in listing["lessons"]:
        lesson = get_json(url + f"api/lessons/{entry['name']}")
        assert len(lesson["steps"]) == entry["steps"] > 0


def test_every_convolution_lesson_is_listed_and_served(installed: Installed, url: str) -> None:
    listing = get_json(url + "api/conv/lessons")
    names = [entry["name"] for entry in listing["lessons"]]
    source = installed.source / "lessons" / "conv"
    assert names == sorted(path.stem for path in source.glob("*.json")) and len(names) >= 4
    assert listing["problems"] == {}
    for entry in listing["lessons"]:
        lesson = get_json(url + f"api/conv/lessons/{entry['name']}")
        assert len(lesson["steps"]) == entry["steps"] > 0


def test_the_convolution_engine_is_installed(installed: Installed) -> None:
    out = installed.python(
        "from engine.conv.session import ConvSession; s = ConvSession(); s.step(2); "
        "print(s.trainer.step_count)"
    )
    assert out.strip() == "2"
