"""Fixtures every part of the suite may use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """One torch thread, as the server trains: more only contend on these tiny nets (a locally
    connected layer's unfold took 10,000 times as long with two on a loaded machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
