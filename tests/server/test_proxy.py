"""Several instances behind nginx, configured by server/nginxconf.py: each session's sockets and
API calls reach the instance that holds it, everything else any instance; a stopped instance's
sessions go to the same next one, which answers clearly."""

from __future__ import annotations

import contextlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from server.nginxconf import MAX_BODY, main, nginx_config, nginx_file
from server.saves import MAX_FILE_BYTES
from tests.live_server import ROOT, LiveServer, live_server
from tests.nginx import nginx_proxy, require_nginx
from tests.server.wsutil import recv_event

DEPLOY = ROOT / "docs" / "deploy.md"


@dataclass
class Proxied:
    url: str  # nginx's, http://127.0.0.1:PORT/
    instances: dict[str, LiveServer]

    def ws(self, path: str = "ws", origin: str | None = None) -> ClientConnection:
        """A socket through the proxy. Unread messages are not capped: a capped client stops
        reading once full and misses the answer to its close (waiting out the close timeout)."""
        address = self.url.replace("http://", "ws://") + path
        sent = None if origin is None else Origin(origin)
        return connect(address, origin=sent, open_timeout=10, max_size=None, max_queue=None)

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of GET ``path`` through the proxy, errors included."""
        return _fetch(urllib.request.Request(self.url + path))


def _fetch(request: urllib.request.Request) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get("content-type", ""), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


@contextlib.contextmanager
def instances_behind_nginx(*names: str, broker: bool = False) -> Iterator[Proxied]:
    require_nginx()  # before starting the instances
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(live_server("--instance", name, "--device", "cpu"))
            for name in names
        }
        listed = [(name, s.url.removeprefix("http://").rstrip("/")) for name, s in servers.items()]
        yield Proxied(stack.enter_context(nginx_proxy(listed, broker=broker)), servers)


@pytest.fixture(scope="module")
def pair() -> Iterator[Proxied]:
    with instances_behind_nginx("a", "b") as proxied:
        yield proxied


@contextlib.contextmanager
def sessions(proxied: Proxied, count: int, path: str = "ws") -> Iterator[dict[str, str]]:
    """``count`` sessions opened through the proxy and held; yields the first id made by each
    instance, by instance name."""
    with contextlib.ExitStack() as stack:
        made: dict[str, str] = {}
        for _ in range(count):
            session = recv_event(stack.enter_context(proxied.ws(path)), "hello")["session"]
            made.setdefault(session.split("-")[0], session)
        yield made


def test_new_sessions_are_spread_over_the_instances(pair: Proxied) -> None:
    with sessions(pair, 4) as made:
        assert sorted(made) == ["a", "b"]
        assert all(re.fullmatch(rf"{name}-[0-9a-f]{{12}}", s) for name, s in made.items())


@pytest.mark.parametrize("path", ["ws", "ws/conv"])
def test_followers_always_reach_the_sessions_instance(pair: Proxied, path: str) -> None:
    with sessions(pair, 2, path) as made:
        assert sorted(made) == ["a", "b"]
        for session in made.values():
            for _ in range(6):
                with pair.ws(f"{path}?follow={session}") as follower:
                    hello = recv_event(
                        follower, "hello"
                    )  # the instance without it says "no session"
                    assert hello["follow"] is True and hello["session"] == session


def test_a_sessions_api_is_answered_by_its_instance(pair: Proxied) -> None:
    with sessions(pair, 2) as made:
        for session in made.values():
            status, kind, body = pair.get(f"api/sessions/{session}/data.csv")
            assert (status, kind.split(";")[0]) == (200, "text/csv"), body[:300]
            assert len(body.decode().splitlines()) > 10
            upload = urllib.request.Request(
                pair.url + f"api/sessions/{session}/data.csv",
                data=b"x,y,label\n0.1,0.2,0\n0.3,0.4,1\n-0.5,0.6,0\n0.7,-0.8,1\n",
                method="POST",
            )
            status, _, body = _fetch(upload)
            assert status == 200 and json.loads(body)["points"] == 4, body[:300]
    with sessions(pair, 2, "ws/conv") as made:
        for session in made.values():
            status, _, body = pair.get(f"api/conv/sessions/{session}/experiment")
            assert status == 200 and json.loads(body)["format"] == "spacefold-conv-experiment"


def test_the_page_and_its_files_load_through_the_proxy(pair: Proxied) -> None:
    status, kind, body = pair.get("")
    assert status == 200 and kind.startswith("text/html") and b"<script" in body
    status, kind, body = pair.get("vendor/plotly.min.js")
    direct = urllib.request.urlopen(pair.instances["a"].url + "vendor/plotly.min.js").read()
    assert status == 200 and "javascript" in kind and body == direct
    status, _, body = pair.get("api/schema")
    assert status == 200 and json.loads(body)


def test_a_browsers_origin_passes_the_proxy(pair: Proxied) -> None:
    """The page's socket carries its Origin (the proxy's address), which the instance compares
    with Host: the proxy must hand on the browser's Host, port and all."""
    own = pair.url.rstrip("/")
    for path in ("ws", "ws/conv"):
        with pair.ws(path, origin=own) as ws:
            assert recv_event(ws, "hello")["session"]
        with pytest.raises(InvalidStatus) as refused:
            pair.ws(path, origin="http://elsewhere.example")
        assert refused.value.response.status_code == 403


def test_a_stopped_instances_sessions_go_to_the_next_live_one() -> None:
    """Every request for a stopped instance's session goes to the same next instance in the
    configuration's order (b for a, though c is up too), then to the one after (c), each
    answering clearly; never a 502."""
    with instances_behind_nginx("a", "b", "c") as trio:
        with sessions(trio, 3) as made:
            lost = made["a"]
        for stopped, next_one in (("a", "b"), ("b", "c")):
            server = trio.instances[stopped]
            server.process.terminate()
            server.process.wait(10)
            for _ in range(4):
                with trio.ws(f"ws?resume={lost}") as back:
                    assert recv_event(back, "hello")["session"].startswith(f"{next_one}-")
            with trio.ws(f"ws?follow={lost}") as follower:
                assert f"no session {lost}" in recv_event(follower, "error")["message"]
            status, _, body = trio.get(f"api/sessions/{lost}/data.csv")
            assert status == 404 and b"no open session" in body, body[:300]
            with sessions(trio, 2) as made:
                assert stopped not in made and made


def test_with_a_broker_followers_go_to_any_instance() -> None:
    """With --broker, ?follow= says nothing about where to go; ?resume= and the API still do."""
    instances = [("a", "127.0.0.1:8001"), ("b", "127.0.0.1:8002")]
    alone, shared = nginx_config(instances, "8080"), nginx_config(instances, "8080", broker=True)
    assert "follow=([a-z0-9]{1,12})-" in alone and "follow=(" not in shared
    assert "resume=([a-z0-9]{1,12})-" in shared and "/api/(conv/)?sessions/" in shared


def test_the_body_limit_lets_the_app_refuse_large_files_itself() -> None:
    assert MAX_BODY.endswith("m") and int(MAX_BODY[:-1]) << 20 > MAX_FILE_BYTES


@pytest.mark.parametrize(
    ("instances", "listen", "named"),
    [
        ([], "80", "instances"),
        ([("A", "127.0.0.1:8001")], "80", "instance name 'A'"),
        ([("a", "127.0.0.1:8001"), ("a", "127.0.0.1:8002")], "80", "named twice"),
        ([("a", "127.0.0.1:8001; evil")], "80", "address"),
        ([("a", "127.0.0.1")], "80", "address"),
        ([("a", "127.0.0.1:8001")], "80; include /etc", "listen"),
    ],
)
def test_a_bad_configuration_is_refused_naming_the_fault(
    instances: list[tuple[str, str]], listen: str, named: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(named)):
        nginx_config(instances, listen)


def test_an_instance_named_like_a_map_word_is_escaped() -> None:
    config = nginx_config([("default", "127.0.0.1:8001"), ("b", "127.0.0.1:8002")], "80")
    assert "    \\default spacefold_default;" in config
    assert "    default spacefold_any;" in config


def test_the_command_line_prints_the_file_or_the_http_pieces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    instances = [("a", "127.0.0.1:8001"), ("b", "10.0.0.2:8000")]
    args = ["--listen", "80", "a=127.0.0.1:8001", "b=10.0.0.2:8000"]
    assert main(args) == 0
    assert capsys.readouterr().out == nginx_file(nginx_config(instances, "80"))
    assert main(["--server-only", "--broker", *args]) == 0
    assert capsys.readouterr().out == nginx_config(instances, "80", broker=True)
    assert main(["--listen", "80", "A=127.0.0.1:8001"]) == 2
    assert "instance name 'A'" in capsys.readouterr().err


def doc_example(text: str) -> tuple[list[str], list[str]]:
    """The generator's command shown in docs/deploy.md (its arguments) and the nginx blocks
    shown after it."""
    command = re.search(r"^python -m server\.nginxconf (.+?)(?: >.*)?$", text, re.M)
    assert command, "docs/deploy.md shows no python -m server.nginxconf command"
    blocks = re.findall(r"^```nginx\n(.*?)^```$", text[command.end() :], re.M | re.S)
    assert blocks, "docs/deploy.md shows none of the configuration"
    return command.group(1).split(), blocks


def test_the_deployment_guide_shows_what_the_generator_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each nginx block of docs/deploy.md is a run of the lines its command prints, in order
    (a line "..." stands for lines left out)."""
    args, blocks = doc_example(DEPLOY.read_text(encoding="utf-8"))
    assert main(args) == 0
    printed = capsys.readouterr().out.splitlines()
    at = 0
    for block in blocks:
        for piece in re.split(r"^[ \t]*\.\.\.\n", block, flags=re.M):
            lines = piece.splitlines()
            found = next(
                (i for i in range(at, len(printed)) if printed[i : i + len(lines)] == lines), None
            )
            assert found is not None, (
                f"docs/deploy.md shows what the command does not print:\n{piece}"
            )
            at = found + len(lines)


def test_the_deployment_guide_is_linked_from_the_readme() -> None:
    assert DEPLOY.is_file() and "(docs/deploy.md)" in (ROOT / "README.md").read_text("utf-8")
