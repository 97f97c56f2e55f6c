"""The device the GPU tests train on: CUDA, skipped without it; ``SPACEFOLD_TEST_DEVICE=cpu``
runs them on the CPU instead (which checks the tests themselves on a machine without a GPU)."""

from __future__ import annotations

import os

import pytest
import torch

DEVICE = torch.device(os.environ.get("SPACEFOLD_TEST_DEVICE", "cuda"))
on_device = pytest.mark.skipif(
    DEVICE.type == "cuda" and not torch.cuda.is_available(), reason="torch sees no CUDA device"
)
