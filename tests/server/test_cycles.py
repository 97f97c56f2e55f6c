"""A thousand tabs coming and going, some vanishing mid-frame: nothing is left behind."""

import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from bench.cycles import health, measure
from tests.live_server import live_server


def test_a_thousand_connect_and_disconnect_cycles_leave_nothing_behind() -> None:
    with live_server() as server:
        # measure() runs event loops of its own: keep them off this thread, whose loop the
        # browser tests' driver may hold.
        with ThreadPoolExecutor(1) as pool:
            r = pool.submit(measure, server, 1000, 50).result()
        assert r["after"]["sessions"] == 0, r
        assert r["after"]["tasks"] <= r["warm"]["tasks"], r
        assert r["after"]["threads"] <= r["warm"]["threads"], r  # the worker pool, no more
        assert r["rss_end"] <= r["rss_start"] * 1.10, r
        # A half-open TCP connection that never finishes its handshake is dropped too.
        address = urlsplit(server.url)
        assert address.hostname is not None and address.port is not None
        socket.create_connection((address.hostname, address.port)).close()
        assert health(server)["status"] == "ok"
