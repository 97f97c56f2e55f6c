"""``spacefold``: start the server, print its address and open the browser.

``spacefold render ...`` draws a view to a file instead (``spacefold/render.py``), with no server.
This module (with ``__main__.py``) is the only one of the Python API that imports the server: it
sits above both, so that neither the server nor the API imports the other.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["render"]:  # pictures for slides: imports no web framework
        from spacefold.render import main as render

        return render(args[1:])
    from server.cli import main as serve

    return serve(args)
