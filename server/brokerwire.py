"""What the instances say to each other through Redis in follow mode (see server.broker).

- key ``spacefold:leader:ID`` (expires after :data:`KEY_SECONDS`): JSON ``{"mode", "state",
  "lesson"}`` of session ID, refreshed each :data:`TICK` by the instance that holds it; a
  follower on another instance builds its hello from it.
- channel ``spacefold:fold:ID`` (``spacefold:conv:ID`` in the convolution mode): what the
  leader sends its followers, in order, one message each: :data:`TEXT` and a text event, or
  :data:`FRAME` and a frame; and :data:`BEAT` alone each :data:`TICK`, that it is alive.
- channel ``spacefold:watch``: JSON ``{"session", "mode", "from", "followers"}`` from every
  instance with followers of a session held elsewhere, each :data:`TICK` and whenever their
  number changes; the instance holding the session relays it while it hears of any.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from server.autosaves import Mode  # the two modes' names, written once

MODES: tuple[Mode, ...] = get_args(Mode)

TICK = 1.0  # seconds between keys refreshed, heartbeats and watch messages
KEY_SECONDS = 3  # a leader's key outlives two missed refreshes
GONE_AFTER = 3.5  # seconds without a word from a leader (or of a watcher) before it is gone
WATCH = "spacefold:watch"
TEXT, FRAME, BEAT = b"t", b"f", b"h"


def leader_key(session: str) -> str:
    return f"spacefold:leader:{session}"


def channel(mode: Mode, session: str) -> str:
    return f"spacefold:{mode}:{session}"


def watch_message(session: str, mode: Mode, instance: str, followers: int) -> str:
    return json.dumps({"session": session, "mode": mode, "from": instance, "followers": followers})


def read_watch(data: bytes) -> tuple[str, Mode, str, int] | None:
    """(session, mode, instance, followers) of a watch message; None if it is not one."""
    try:
        message: Any = json.loads(data)
        session, mode = message["session"], message["mode"]
        instance, followers = message["from"], message["followers"]
    except (ValueError, TypeError, KeyError):
        return None
    valid = isinstance(session, str) and isinstance(instance, str) and mode in MODES
    if not valid or type(followers) is not int or followers < 0:
        return None
    return session, mode, instance, followers
