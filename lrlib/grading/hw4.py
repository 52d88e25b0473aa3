r"""Checks of Homework 4: tuning on the practice dataset within a budget of gradient evaluations.

Chapter 10 of the book. The dataset is ``lrlib.datasets.load_digits()`` (its default split:
1,347 training and 450 test images); the models are in ``lrlib.models``. The budget counts
gradient evaluations of single examples: an update on a minibatch of :math:`B` examples costs
:math:`B` (the last minibatch of an epoch may be smaller, see ``lrlib.models.minibatches``).

The tuning task is checked by re-running the student's configuration with
``lrlib.models.train`` from fresh random seeds (the minibatch order and, for the MLP, the
initial weights): the budget must hold and the **mean test accuracy of 5 runs** must reach
:data:`TARGET`. Measured for the reference configuration (MLP with 32 hidden units, SGD with
``CosineDecay(0.3, 338)``, minibatches of 8, 338 updates = 2,694 examples): single runs 0.944
to 0.973 over 100 seeds; 5-run means 0.9585 on average, standard deviation 0.0025, lowest
0.9529 in 150 draws. The target 0.945 is 5 standard deviations below that mean. Untuned
defaults stay well below it (Adam at 1e-3 with minibatches of 32: 0.86 for softmax
regression, 0.79 for the MLP; SGD at 0.1: 0.92).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._models_base import examples_done
from ..datasets import load_digits
from ..models import MLP, SoftmaxRegression, train
from .registry import CaseFailed, ask, register, same_number, show

__all__ = ["BUDGET", "TARGET", "RUNS", "evaluate_configuration"]

#: Gradient evaluations of single examples allowed for one training run: two epochs.
BUDGET = 2 * 1347
#: The mean test accuracy over :data:`RUNS` runs that the configuration must reach.
TARGET = 0.945
#: Runs (fresh seeds) averaged by the check.
RUNS = 5
_MAX_HIDDEN = 256


@register("hw4", "task1", function="accuracy", title="the share of correct predictions",
          points=2)
def accuracy_task(function, rng, hidden):
    """``accuracy(scores, labels)``: share of rows whose largest score is at the label."""
    cases = [(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0]))]
    for _ in range(3 + (30 if hidden else 0)):
        rows, classes = int(rng.integers(1, 40)), int(rng.integers(2, 11))
        scores = np.round(rng.normal(size=(rows, classes)), 3)
        labels = rng.integers(0, classes, rows)
        cases.append((scores, labels))
    for scores, labels in cases:
        case = f"scores={show(scores)}, labels={show(labels)}"
        got = ask(function, case, scores.copy(), labels.copy())
        same_number(case, np.mean(np.argmax(scores, axis=1) == labels), got, rtol=1e-12)
    return len(cases)


@register("hw4", "task2", function="examples_used",
          title="gradient evaluations of a training run", points=2)
def examples_task(function, rng, hidden):
    """``examples_used(steps, batch_size, n_samples)``: examples processed by ``steps`` updates."""
    cases = [(0, 8, 1347), (168, 8, 1347), (169, 8, 1347), (338, 8, 1347), (43, 32, 1347)]
    for _ in range(3 + (40 if hidden else 0)):
        n_samples = int(rng.integers(1, 2000))
        batch_size = int(rng.integers(1, n_samples + 1))
        cases.append((int(rng.integers(0, 5 * -(-n_samples // batch_size) + 3)), batch_size,
                      n_samples))
    for steps, batch_size, n_samples in cases:
        case = f"steps={steps}, batch_size={batch_size}, n_samples={n_samples}"
        got = ask(function, case, steps, batch_size, n_samples)
        same_number(case, examples_done(steps, n_samples, batch_size), got, rtol=0.0)
    return len(cases)


def _most_steps(budget: int, batch_size: int, n_samples: int) -> int:
    per_epoch = -(-n_samples // batch_size)
    epochs, rest = divmod(budget, n_samples)
    return epochs * per_epoch + rest // batch_size


@register("hw4", "task3", function="steps_within_budget",
          title="the most updates a budget allows", points=2)
def steps_task(function, rng, hidden):
    """``steps_within_budget(budget, batch_size, n_samples)``: the largest number of updates
    whose examples do not exceed ``budget``."""
    cases = [(2694, 8, 1347), (2694, 32, 1347), (2694, 1347, 1347), (100, 7, 10)]
    for _ in range(3 + (40 if hidden else 0)):
        n_samples = int(rng.integers(1, 2000))
        batch_size = int(rng.integers(1, n_samples + 1))
        cases.append((int(rng.integers(0, 6 * n_samples)), batch_size, n_samples))
    for budget, batch_size, n_samples in cases:
        case = f"budget={budget}, batch_size={batch_size}, n_samples={n_samples}"
        got = ask(function, case, budget, batch_size, n_samples)
        same_number(case, _most_steps(budget, batch_size, n_samples), got, rtol=0.0)
    return len(cases)


def _integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _checked(config, case: str) -> dict:
    """The configuration with its defaults, or CaseFailed saying what is wrong with it."""
    if not isinstance(config, Mapping):
        raise CaseFailed(case, reason=f"expected a dict, got {show(config)}")
    missing = [k for k in ("model", "optimizer", "batch_size", "steps") if k not in config]
    if missing:
        raise CaseFailed(case, reason=f"the configuration lacks {', '.join(missing)}")
    settings = {"hidden": 32, "l2": 0.0, **config}
    n_train = load_digits().n_train
    problems = []
    if settings["model"] not in ("softmax", "mlp"):
        problems.append(f"model must be 'softmax' or 'mlp', not {settings['model']!r}")
    if not (_integer(settings["hidden"]) and 1 <= settings["hidden"] <= _MAX_HIDDEN):
        problems.append(f"hidden must be an integer in [1, {_MAX_HIDDEN}]")
    if not (isinstance(settings["l2"], (int, float)) and 0 <= settings["l2"] < np.inf):
        problems.append("l2 must be a finite number >= 0")
    if not (callable(getattr(settings["optimizer"], "init", None))
            and callable(getattr(settings["optimizer"], "step", None))):
        problems.append("optimizer must be an lrlib optimizer (with init and step)")
    if not (_integer(settings["batch_size"]) and 1 <= settings["batch_size"] <= n_train):
        problems.append(f"batch_size must be an integer in [1, {n_train}]")
    if not (_integer(settings["steps"]) and settings["steps"] >= 1):
        problems.append("steps must be an integer >= 1")
    if problems:
        raise CaseFailed(case, reason="; ".join(problems))
    used = examples_done(int(settings["steps"]), n_train, int(settings["batch_size"]))
    if used > BUDGET:
        raise CaseFailed(case, reason=(
            f"{settings['steps']} updates on minibatches of {settings['batch_size']} use {used} "
            f"gradient evaluations; the budget is {BUDGET}"))
    return settings


def evaluate_configuration(config, seeds) -> list[float]:
    r"""Train a homework-4 configuration once per seed; return the test accuracies.

    Parameters
    ----------
    config : dict
        ``model`` (``"softmax"`` or ``"mlp"``), ``optimizer`` (an lrlib optimizer),
        ``batch_size``, ``steps``, and optionally ``hidden`` (MLP width, default 32) and
        ``l2`` (default 0).
    seeds : iterable of int
        One run per seed: the seed of the minibatch order and of the MLP's initial weights.

    Returns
    -------
    list of float
        The test accuracy of each run (0 for a run that diverged).

    Raises
    ------
    AssertionError
        (:class:`lrlib.grading.CaseFailed`) For a malformed configuration or one over
        :data:`BUDGET`.

    Examples
    --------
    >>> from lrlib.optimizers import SGD
    >>> config = {"model": "softmax", "optimizer": SGD(0.5), "batch_size": 16, "steps": 168}
    >>> [round(a, 3) for a in evaluate_configuration(config, seeds=[0, 1])]
    [0.953, 0.953]
    """
    settings = _checked(config, "configuration")
    data = load_digits()
    accuracies = []
    for seed in seeds:
        seed = int(seed)
        if settings["model"] == "mlp":
            model = MLP(data.x_train, data.y_train, hidden=int(settings["hidden"]),
                        l2=float(settings["l2"]), seed=seed)
        else:
            model = SoftmaxRegression(data.x_train, data.y_train, l2=float(settings["l2"]))
        record = train(settings["optimizer"], model, model.init_params(), int(settings["steps"]),
                       batch_size=int(settings["batch_size"]), seed=seed,
                       every=int(settings["steps"]))
        if record.diverged.any() or record.final_params.ndim != 1:
            accuracies.append(0.0)
            continue
        accuracies.append(float(model.accuracy(record.final_params, data.x_test, data.y_test)))
    return accuracies


@register("hw4", "task4", function="configuration",
          title="a configuration that reaches the target within the budget", points=4,
          from_scratch=False)
def tuning_task(function, rng, hidden):
    """``configuration()`` returns the dict; 5 runs with fresh seeds must average >= TARGET."""
    case = "configuration()"
    config = ask(function, case)
    _checked(config, case)
    seeds = [int(s) for s in rng.integers(0, 2**31, RUNS)]
    try:
        accuracies = evaluate_configuration(config, seeds)
    except CaseFailed:
        raise
    except Exception as error:  # e.g. an optimizer whose step raises
        raise CaseFailed(case, reason=f"training raised {type(error).__name__}: {error}") from None
    mean = float(np.mean(accuracies))
    if not mean >= TARGET:
        runs = ", ".join(f"{a:.3f}" for a in accuracies)
        raise CaseFailed(case, reason=(
            f"mean test accuracy of {RUNS} runs (seeds {seeds}) is {mean:.4f}, below the target "
            f"{TARGET}; the runs: {runs}"))
    return RUNS
