"""spacefold's web server: sessions, the WebSocket protocol and the CLI."""

from server.app import create_app
from server.settings import Settings

__all__ = ["Settings", "create_app"]
