#!/usr/bin/env bash
# On a machine with a CUDA GPU: check that training and streaming work there, and measure the
# GPU against the CPU (a few minutes). Prints what docs/performance.md's GPU section asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
python -c "import torch; assert torch.cuda.is_available(), 'torch sees no CUDA device'; \
print(torch.__version__, torch.cuda.get_device_name())"
python -m pytest -q -p no:cacheprovider tests/nets/test_cuda.py tests/server/test_cuda.py \
    tests/server/test_device.py tests/nets/test_devices.py
python -c "from server.device import choose_device; print(choose_device('auto').describe())"
python -m bench.train --seconds 0.3 --widths 2 8 32 --depths 2 6 10 --batches 100 0 \
    --cohorts 1 30 100
for device in cpu cuda; do
    python -m bench.classroom --device "$device" --sessions 60 --followers
done
