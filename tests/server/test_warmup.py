"""The warm-up loads every compiled routine with the types real frames pass: after it, no
frame of any kind compiles anything more."""

import json
import subprocess
import sys

PROGRAM = """
import json, sys
import numba, torch
from engine import warmup
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session

MODULES = ["nets.probe_kernel", "nets.folds_kernel", "nets.merging_kernel",
           "nets.linalg_kernel", "nets.scores_kernel", "engine.packing"]

def compiled():
    out = {}
    for name in MODULES:
        module = sys.modules[name]
        for attr, value in vars(module).items():
            if isinstance(value, numba.core.registry.CPUDispatcher):
                out[f"{name}.{attr}"] = [str(s) for s in value.signatures]
    return out

torch.set_num_threads(1)
warmup.warm()
after_warm = compiled()
for changes in json.loads(sys.argv[1]):
    session = Session(merge_config(ExperimentConfig(), changes), torch.device("cpu"))
    session.train(30)
    session.frame()
    session.metrics()
print(json.dumps({"warm": after_warm, "frames": compiled()}))
"""

EXPERIMENTS = [
    {},
    {"model": {"depth": 4}, "data": {"dataset": "spiral"}},
    {"data": {"dataset": "spiral", "classes": 3}},
    {"data": {"dataset": "gaussians", "classes": 5}},
    {"model": {"width": 8}, "view": {"projection": "pca"}},
    {"model": {"activation": "tanh"}},
    {"data": {"dataset": "plane"}},
    {"view": {"units": True}},
]


def test_no_frame_compiles_anything_after_the_warm_up() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(EXPERIMENTS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.splitlines()[-1])
    warm, frames = report["warm"], report["frames"]
    assert len(warm) >= 8  # the kernels were found at all
    used = [name for name, signatures in frames.items() if signatures]
    assert {"nets.probe_kernel.ride", "nets.folds_kernel.fold_facts"} <= set(used)
    assert frames == warm
