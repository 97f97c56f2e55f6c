"""spacefold from Python: build and train an experiment, then draw it with Plotly.

>>> from spacefold import Experiment, stage_strip
>>> exp = Experiment.from_preset("default").train(200)
>>> stage_strip(exp).show()

Every picture is drawn from the frame the page would get (``Experiment.frame()``).
"""

from spacefold.experiment import Experiment
from spacefold.figures import decomposition, focus, losses, morph, stage_strip
from spacefold.frame import Frame

__all__ = ["Experiment", "Frame", "decomposition", "focus", "losses", "morph", "stage_strip"]
