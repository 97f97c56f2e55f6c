"""spacefold's transport: HTTP, the WebSocket protocol, saves, follow mode and the CLI, on top
of the experiment engine (``engine/``).

``create_app`` and ``Settings`` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.app import create_app
    from server.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from server.app import create_app

        return create_app
    if name == "Settings":
        from server.settings import Settings

        return Settings
    raise AttributeError(f"module 'server' has no attribute {name!r}")
