"""nginx in front of several instances: the configuration that sends each session's socket and
API calls to the instance that holds it, and everything else to any instance.

``python -m server.nginxconf --listen 127.0.0.1:8080 a=127.0.0.1:8001 b=127.0.0.1:8002`` prints a
whole ``nginx.conf``; with ``--server-only``, only what goes inside an existing ``http`` block
(Debian's ``/etc/nginx/conf.d/``). ``docs/deploy.md`` explains it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from server.settings import INSTANCE_PATTERN

#: An instance: its name (``--instance``) and the address nginx reaches it at (``host:port``).
Instance = tuple[str, str]

ANY = "spacefold_any"
#: Larger than the largest upload spacefold takes (an experiment file, 4 MiB), so that spacefold
#: answers a file too large with its own message rather than nginx with a page.
MAX_BODY = "8m"
#: A socket may sit quiet for minutes (the page pings every 20 s, a hidden tab far less often):
#: as long as an idle tab is kept (``SPACEFOLD_IDLE_MINUTES``, 60 by default).
SOCKET_TIMEOUT = "3600s"
#: How long to wait for an instance to accept before going on to the next.
CONNECT_TIMEOUT = "3s"
#: Words a ``map`` reads as its own parameters: an instance of that name is written ``\\name``.
MAP_WORDS = frozenset({"default", "hostnames", "include", "volatile"})
_ADDRESS = re.compile(
    r"^(unix:/[^\s;{}'\"#$]+|[A-Za-z0-9.\-]+:\d{1,5}|\[[0-9A-Fa-f:.]+\]:\d{1,5})$"
)
_LISTEN = re.compile(r"^([A-Za-z0-9.\-]+:|\[[0-9A-Fa-f:.]+\]:)?\d{1,5}$")


def group(name: str) -> str:
    """The upstream group of instance ``name``'s own sessions."""
    return f"spacefold_{name}"


def check(instances: Sequence[Instance], listen: str) -> None:
    """Refuse what would make a broken configuration, naming what is wrong (ValueError)."""
    if not instances:
        raise ValueError("instances: name at least one instance (NAME=HOST:PORT)")
    seen: set[str] = set()
    for name, address in instances:
        if not isinstance(name, str) or not re.match(INSTANCE_PATTERN, name):
            raise ValueError(
                f"instance name {name!r}: 1-12 lower-case letters or digits, as --instance takes"
            )
        if name in seen:
            raise ValueError(f"instance name {name!r}: named twice")
        seen.add(name)
        if not isinstance(address, str) or not _ADDRESS.match(address):
            raise ValueError(
                f"instance {name}'s address {address!r}: HOST:PORT, [IPv6]:PORT or unix:/PATH"
            )
    if not isinstance(listen, str) or not _LISTEN.match(listen):
        raise ValueError(f"listen {listen!r}: PORT, HOST:PORT or [IPv6]:PORT")


def order(instances: Sequence[Instance], first: int) -> list[Instance]:
    """Who serves the sessions of instance ``first``: it, then the ones after it, wrapping
    round. A stopped instance's sessions all go to the same next live one."""
    return [*instances[first:], *instances[:first]]


def _map_key(name: str) -> str:
    return f"\\{name}" if name in MAP_WORDS else name


def _upstreams(instances: Sequence[Instance]) -> list[str]:
    lines = [
        "# New sessions, pages and every request that names no session: the instance with the",
        "# fewest open connections (a session is a long-lived socket: the fewest sessions).",
        f"upstream {ANY} {{",
        "    least_conn;",
        f"    zone {ANY} 64k;",
        *(f"    server {address};" for _, address in instances),
        "}",
        "",
        "# Each instance's own sessions.",
    ]
    for name, address in instances:
        lines += [f"upstream {group(name)} {{", f"    server {address};", "}"]
    return lines


def _owner_map(broker: bool) -> list[str]:
    name = "([a-z0-9]{1,12})-"
    sockets = (
        "in ?resume= (its own tab coming back); with a broker, not in ?follow=: any instance\n"
        "# serves a session's followers."
        if broker
        else "in ?resume= (its own tab coming back) or ?follow= (a follower)."
    )
    lines = [
        "",
        "# The instance holding the session a request names: a session id begins with its",
        "# instance's name and a dash (a-0123456789ab). The API names it in its path, a socket",
        *f"# {sockets}".splitlines(),
        'map "$uri resume=$arg_resume follow=$arg_follow" $spacefold_owner {',
        '    default "";',
        f'    "~^/api/(conv/)?sessions/{name}" $2;',
        f'    "~^/ws(/conv)? resume={name}" $2;',
    ]
    if not broker:
        lines.append(f'    "~^/ws(/conv)? resume= follow={name}" $2;')
    return [*lines, "}"]


def _try_maps(instances: Sequence[Instance]) -> list[str]:
    lines = [
        "",
        "# Where to try a request, in turn: its session's instance, then the others in a fixed",
        "# order, so that a stopped instance's sessions all go to the same live one (where they",
        "# reopen from their autosave). Any instance for a request that names no session.",
    ]
    for turn in range(len(instances)):
        lines.append(f"map $spacefold_owner $spacefold_try{turn + 1} {{")
        lines.append(f"    default {ANY};")
        for first, (name, _) in enumerate(instances):
            lines.append(f"    {_map_key(name)} {group(order(instances, first)[turn][0])};")
        lines.append("}")
    return lines


def _location(head: str, turn: int, turns: int, kind: str, socket: bool) -> list[str]:
    body = [f"proxy_pass http://$spacefold_try{turn};"]
    if turn < turns:
        body.append(f"error_page 502 504 = @{kind}{turn + 1};")
    if socket:
        body = [
            "proxy_buffering off;",
            f"proxy_read_timeout {SOCKET_TIMEOUT};",
            f"proxy_send_timeout {SOCKET_TIMEOUT};",
            *body,
        ]
    return [f"    location {head} {{", *(f"        {line}" for line in body), "    }"]


def _server(turns: int, listen: str) -> list[str]:
    lines = [
        "",
        "# A socket's Upgrade goes on to the instance; a plain request closes its connection.",
        "map $http_upgrade $spacefold_connection {",
        "    default upgrade;",
        '    "" close;',
        "}",
        "",
        "server {",
        f"    listen {listen};",
        f"    client_max_body_size {MAX_BODY};",
        "    proxy_http_version 1.1;",
        "    # The browser's Host, port and all: spacefold lets a page open a socket only when",
        "    # its Origin names the host the page came from.",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $spacefold_connection;",
        f"    proxy_connect_timeout {CONNECT_TIMEOUT};",
        "    # An instance that cannot be reached: on to the next of the request's turns.",
        "    recursive_error_pages on;",
        "",
        "    # The sockets: a new session (no query), its own tab back (?resume=ID), a follower.",
    ]
    lines += _location("= /ws", 1, turns, "socket", True)
    lines += _location("= /ws/conv", 1, turns, "socket", True)
    for turn in range(2, turns + 1):
        lines += _location(f"@socket{turn}", turn, turns, "socket", True)
    lines += [
        "",
        "    # Pages, files and the API (/api/sessions/ID/... and /api/conv/sessions/ID/...).",
    ]
    lines += _location("/", 1, turns, "http", False)
    for turn in range(2, turns + 1):
        lines += _location(f"@http{turn}", turn, turns, "http", False)
    return [*lines, "}"]


def nginx_config(instances: list[Instance], listen: str, *, broker: bool = False) -> str:
    """What goes in nginx's ``http`` block to serve ``instances`` (name, address) at
    ``listen``; with ``broker`` (``--broker``), followers go to any instance."""
    check(instances, listen)
    lines = [
        f"# spacefold's instances {', '.join(name for name, _ in instances)} behind nginx"
        + (", with a broker" if broker else "")
        + " (python -m server.nginxconf, docs/deploy.md).",
        "",
        *_upstreams(instances),
        *_owner_map(broker),
        *_try_maps(instances),
        *_server(len(instances), listen),
    ]
    return "\n".join(lines) + "\n"


def nginx_file(http_config: str, *, main: Sequence[str] = (), http: Sequence[str] = ()) -> str:
    """A whole ``nginx.conf`` around ``http_config`` (as :func:`nginx_config` makes it), with
    ``main`` directives at the top and ``http`` ones at the head of the ``http`` block."""
    inner = [*http, *http_config.splitlines()]
    return "\n".join(
        [
            *main,
            "worker_processes auto;",
            "# Every proxied socket takes two connections: one from the browser, one to spacefold.",
            "worker_rlimit_nofile 8192;",
            "events {",
            "    worker_connections 4096;",
            "}",
            "http {",
            *(f"    {line}" if line else "" for line in inner),
            "}",
            "",
        ]
    )


def parse_instance(text: str) -> Instance:
    """``NAME=HOST:PORT`` as the command line takes it."""
    name, sep, address = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r}: NAME=HOST:PORT (e.g. a=127.0.0.1:8001)")
    return name, address


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.nginxconf",
        description="Print nginx's configuration for several spacefold instances behind one "
        "address (docs/deploy.md).",
    )
    parser.add_argument("--listen", required=True, help="where nginx listens: PORT or HOST:PORT")
    parser.add_argument(
        "--broker",
        action="store_true",
        help="the instances share a --broker: a session's followers may go to any instance",
    )
    parser.add_argument(
        "--server-only",
        action="store_true",
        help="print only what goes inside an existing http block (e.g. /etc/nginx/conf.d/)",
    )
    parser.add_argument(
        "instances",
        nargs="+",
        type=parse_instance,
        metavar="NAME=HOST:PORT",
        help="each instance: its --instance name and its address",
    )
    args = parser.parse_args(argv)
    try:
        config = nginx_config(args.instances, args.listen, broker=args.broker)
    except ValueError as exc:
        print(f"nginxconf: {exc}", file=sys.stderr)
        return 2
    print(config if args.server_only else nginx_file(config), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
