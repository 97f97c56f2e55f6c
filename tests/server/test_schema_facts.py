"""Facts written once, in Python, and served to the page by GET /api/schema: what each dataset
takes, the input features' formulas, the largest hand-set weight, the colours. Adding a
dataset to nets/datasets.py is all it takes for the config, the schema and the page."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi.testclient import TestClient

from engine import palette
from engine.schemas import CUSTOM, MESSAGE_FIELDS
from nets.datasets import KINDS
from nets.features import FEATURES, FORMULAS
from tests.live_server import ROOT


def test_the_schema_serves_what_each_dataset_takes(client: TestClient) -> None:
    body = client.get("/api/schema").json()
    assert body["fields"]["data.dataset"]["choices"] == [*KINDS, CUSTOM]
    assert body["datasets"] == {
        **{
            name: {"classes": kind.classes, "turns": kind.turns, "regression": kind.regression}
            for name, kind in KINDS.items()
        },
        CUSTOM: {"classes": True, "turns": False, "regression": False},
    }
    assert [name for name, takes in body["datasets"].items() if takes["turns"]] == [
        "spiral",
        "playground_spiral",
    ]
    assert {n for n, takes in body["datasets"].items() if takes["regression"]} == {"plane", "bumps"}


def test_the_schema_serves_the_features_the_weight_cap_and_the_palette(client: TestClient) -> None:
    body = client.get("/api/schema").json()
    assert list(body["features"]) == list(FEATURES) == list(FORMULAS)
    assert body["features"]["x1*x2"] == ["mul", 0, 1]
    assert body["max_weight"] == MESSAGE_FIELDS["set_weight.value"]["max"]
    assert body["max_weight"] == -MESSAGE_FIELDS["set_weight.value"]["min"] == 100
    assert body["palette"] == palette.served()
    assert body["palette"]["classes"][:2] == ["#e8772e", "#2e75b6"]
    assert body["palette"]["grid"] == "rgba(71, 85, 105, 0.42)"


NEW_DATASET = textwrap.dedent("""
    import json
    import numpy as np
    import nets.datasets as datasets

    def rings(rng, n, arms, turns):
        labels = rng.integers(0, arms, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        r = (labels + 0.5) / arms
        return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1), labels

    datasets.KINDS["rings"] = datasets.Kind(rings, classes=True)

    from fastapi.testclient import TestClient
    from server.app import create_app
    from server.settings import Settings

    with TestClient(create_app(Settings(device="cpu", data_dir={data_dir!r}))) as client:
        schema = client.get("/api/schema").json()
        preview = client.get("/api/dataset", params={{"dataset": "rings", "classes": 3,
                                                     "points": 60}}).json()
    print(json.dumps({{"choices": schema["fields"]["data.dataset"]["choices"],
                      "takes": schema["datasets"]["rings"], "classes": preview["classes"],
                      "labels": sorted(set(preview["y"]))}}))
""")


def test_a_dataset_added_in_nets_alone_reaches_the_schema_and_the_previews(tmp_path: Path) -> None:
    code = NEW_DATASET.format(data_dir=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["choices"][-2:] == ["rings", CUSTOM]
    assert got["takes"] == {"classes": True, "turns": False, "regression": False}
    assert got["classes"] == 3 and got["labels"] == [0, 1, 2]
