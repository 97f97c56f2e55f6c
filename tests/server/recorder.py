"""An outbox that notes what it is given, for tests of who is sent what."""

from __future__ import annotations

import json
from typing import Any


class Recorder:
    """Stands for an outbox (a tab's, a follower's or a relay's): the texts it is sent, read
    as JSON, and the frames it is offered."""

    def __init__(self) -> None:
        self.texts: list[dict[str, Any]] = []
        self.frames: list[bytes] = []

    def send_text(self, text: str) -> None:
        self.texts.append(json.loads(text))

    def offer_frame(self, frame: bytes) -> None:
        self.frames.append(frame)
