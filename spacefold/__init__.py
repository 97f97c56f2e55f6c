"""spacefold from Python: build and train an experiment, then draw it with Plotly.

>>> from spacefold import Experiment, stage_strip
>>> exp = Experiment.from_preset("default").train(200)
>>> stage_strip(exp).show()

The convolution mode the same way:

>>> from spacefold import ConvExperiment, feature_maps
>>> feature_maps(ConvExperiment.from_config(data={"kind": "glyphs"}).train(200)).show()

Every picture is drawn from the frame the page would get (``Experiment.frame()``,
``ConvExperiment.frame()``).
"""

from spacefold.conv import ConvExperiment
from spacefold.convfigures import feature_maps, kernels, sharing_matrix, shift_view
from spacefold.experiment import Experiment
from spacefold.figures import decomposition, focus, losses, morph, stage_strip
from spacefold.frame import Frame

__all__ = [
    "ConvExperiment",
    "Experiment",
    "Frame",
    "decomposition",
    "feature_maps",
    "focus",
    "kernels",
    "losses",
    "morph",
    "sharing_matrix",
    "shift_view",
    "stage_strip",
]
