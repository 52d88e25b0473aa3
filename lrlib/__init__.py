"""lrlib: the learning rate in gradient-based optimization, in numpy.

Every update rule and learning-rate schedule of the book, with PyTorch's numbers where PyTorch
has the same rule, plus the error surfaces, the runner and the plots the chapters use::

    import numpy as np
    import lrlib

    opt = lrlib.Adam(lr=lrlib.CosineDecay(lr0=0.05, total_steps=500))
    traj = lrlib.run(opt, lrlib.Rosenbrock(), x0=np.array([-1.2, 1.0]), steps=500)

Submodules: :mod:`lrlib.schedules`, :mod:`lrlib.optimizers`, :mod:`lrlib.surfaces`,
:mod:`lrlib.trajectory` (``run``, ``sweep``, ``Trajectory``), :mod:`lrlib.plotting`,
:mod:`lrlib.range_test`, :mod:`lrlib.datasets` (the handwritten digits), :mod:`lrlib.models`
(softmax regression and a small network, with a lean training loop) and :mod:`lrlib.widgets`
(interactive figures; imports ipywidgets only when a live widget is built). The optimizer
states (``AdamState``, ...) live in :mod:`lrlib.optimizers`.
"""

from lrlib import (datasets, models, optimizers, plotting, range_test, schedules, surfaces,
                   trajectory)
from lrlib.datasets import *  # noqa: F401,F403
from lrlib.models import *  # noqa: F401,F403
from lrlib.optimizers import *  # noqa: F401,F403
from lrlib.plotting import *  # noqa: F401,F403
from lrlib.range_test import *  # noqa: F401,F403
from lrlib.schedules import *  # noqa: F401,F403
from lrlib.surfaces import *  # noqa: F401,F403
from lrlib.trajectory import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = [
    name
    for module in (schedules, optimizers, surfaces, trajectory, plotting, range_test, datasets,
                   models)
    for name in module.__all__
    if not (module is optimizers and name.endswith("State"))
]
# The optimizer states are reachable as lrlib.optimizers.AdamState etc.; keep the top level lean.
for _name in [n for n in optimizers.__all__ if n.endswith("State")]:
    del globals()[_name]
del _name
