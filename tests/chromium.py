"""Debian's chromium, as the browser tests and the browser benchmark launch it."""

import os

CHROMIUM = os.environ.get("SPACEFOLD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
