"""The followers here of a session held elsewhere: who is offered which frame heard."""

from __future__ import annotations

from typing import cast

from server.brokerfollow import Watch
from server.outbox import Outbox
from tests.server.recorder import Recorder


def test_a_joiner_is_shown_the_last_frame_heard_and_a_frame_carried_again_goes_to_no_one() -> None:
    watch = Watch("0123456789ab", "fold", 0.0)
    early, late = Recorder(), Recorder()
    watch.add(cast(Outbox, early))  # before any frame: it waits for the next
    assert early.frames == []
    watch.offer(b"frame 1")
    watch.offer(b"frame 1")  # carried again for joiners elsewhere: early has it
    assert early.frames == [b"frame 1"]
    watch.add(cast(Outbox, late))  # shown the last frame at once
    assert late.frames == [b"frame 1"]
    watch.offer(b"frame 1")  # carried again: no one here lacks it
    watch.offer(b"frame 2")
    assert early.frames == [b"frame 1", b"frame 2"]
    assert late.frames == [b"frame 1", b"frame 2"]
    watch.followers.discard(cast(Outbox, late))
    watch.offer(b"frame 3")
    assert late.frames == [b"frame 1", b"frame 2"]
    assert early.frames[-1] == b"frame 3"
