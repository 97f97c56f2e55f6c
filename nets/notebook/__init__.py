"""spacefold from Python: build and train an experiment, then draw it with Plotly.

>>> from nets.notebook import Experiment, stage_strip
>>> exp = Experiment.from_preset("default").train(200)
>>> stage_strip(exp).show()

Every picture is drawn from the frame the page would get (``Experiment.snapshot()``).
"""

from nets.notebook.experiment import Experiment
from nets.notebook.figures import decomposition, focus, losses, morph, stage_strip
from nets.notebook.snapshot import Snapshot

__all__ = ["Experiment", "Snapshot", "decomposition", "focus", "losses", "morph",
           "stage_strip"]
