"""The worked example, docs/notebook.ipynb, runs top to bottom and is stored without outputs."""

from typing import Any

import nbformat
from nbclient import NotebookClient

from tests.live_server import ROOT

NOTEBOOK = ROOT / "docs" / "notebook.ipynb"


def read() -> Any:
    return nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]


def test_the_example_notebook_runs_top_to_bottom() -> None:
    notebook = read()
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=150, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if one fails
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    metrics = code[1].outputs[0]["data"]["text/plain"]
    assert "Metrics(step=200" in metrics
    figures = [c for c in code if c.source.startswith(("stage_strip", "focus", "morph"))]
    assert len(figures) == 3
    for cell in figures:  # each draws a Plotly figure
        assert any(
            "application/vnd.plotly.v1+json" in out.get("data", {}) for out in cell.outputs
        ), cell.source


def test_the_stored_notebook_has_its_outputs_stripped() -> None:
    notebook = read()
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
