r"""Checks of Homework 2: momentum, AdaGrad and RMSProp, and AdaGrad's eruptions.

Chapters 5 to 7 of the book. The update steps are compared with lrlib's rules over several
consecutive updates on random gradients (random shapes, rates, coefficients; the rate changes
from update to update, which separates "rate outside the buffer" from "rate inside"). The
eruption tasks run on :class:`lrlib.StuckValley`, whose measured behaviour is recorded in
``tools/stuck_valley_design.md``: lecture AdaGrad with the constant rate 1 erupts after 213,
399 and 679 updates; ``InverseSqrtDecay(1.0, decay_steps=50)`` removes the eruptions and still
reaches the minimum (1.9e-3 away after 3000 updates).
"""

from __future__ import annotations

import numpy as np

from .. import optimizers, schedules
from ..surfaces_designed import StuckValley
from ..trajectory import run
from .registry import CaseFailed, as_array, ask, register, rounded, same_array, show, unpack

__all__: list[str] = []

#: A burst starts when |y| exceeds BURST_ON after having been below BURST_OFF; it ends when
#: |y| is back below BURST_OFF (the definition of the design note and of the book).
BURST_ON, BURST_OFF = 0.5, 0.25
#: The book's eruptions of lecture AdaGrad (constant rate 1) in the first 1000 updates.
ERUPTIONS = [(213, 249), (399, 442), (679, 741)]


def reference_bursts(offsets, on=BURST_ON, off=BURST_OFF) -> list[tuple[int, int | None]]:
    """(start, end) of each burst of ``|offsets|``; ``end`` is None for a burst still going."""
    found, armed, start = [], False, None
    for k, size in enumerate(np.abs(np.asarray(offsets, dtype=float))):
        if start is None:
            armed = armed or size < off
            if armed and size > on:
                start = k
        elif size < off:
            found.append((start, k))
            start = None
    if start is not None:
        found.append((start, None))
    return found


def _hyper(rng, hidden: bool, public: int, extra: int):
    """(case number, shape, number of updates) for each case."""
    for i in range(public + (extra if hidden else 0)):
        shape = (int(rng.integers(1, 5)),) if i % 3 else (2, int(rng.integers(1, 4)))
        yield i, shape, int(rng.integers(3, 12))


def _replay(function, case, reference, buffer_name, steps, rng, shape, call):
    """Feed ``steps`` random gradients to the student's step and to lrlib's ``reference``;
    compare parameters and the buffer after every update."""
    params = rng.normal(size=shape)
    buffer = np.zeros(shape)
    state = reference.init(params)
    expected = params
    for n in range(steps):
        grads = rng.normal(size=shape) * 10 ** rng.uniform(-2, 1)
        here = f"{case}, update n={n}"
        answer = ask(function, here, *call(params.copy(), grads.copy(), buffer.copy(), n))
        got = unpack(here, answer, 2, f"(params, {buffer_name})")
        expected, state = reference.step(expected, grads, state)
        same_array(here, expected, got[0], what="params", rtol=1e-9, atol=1e-12)
        same_array(here, getattr(state, buffer_name if buffer_name != "velocity"
                                 else "momentum_buffer"), got[1], what=buffer_name,
                   rtol=1e-9, atol=1e-12)
        params, buffer = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
    return steps


@register("hw2", "task1", function="momentum_step", title="one heavy-ball momentum update",
          points=2)
def momentum(function, rng, hidden):
    """``momentum_step(params, grads, velocity, lr, beta) -> (params, velocity)`` as torch."""
    total = 0
    for i, shape, steps in _hyper(rng, hidden, 3, 12):
        lr0, beta = rounded(10 ** rng.uniform(-3, -0.5)), rounded(rng.uniform(0.0, 0.99), 2)
        decay = 0.0 if i == 0 else rounded(rng.uniform(0.05, 0.5), 2)
        rate = schedules.ExponentialDecay(lr0, decay)
        case = f"run {i}: lr_n = {lr0:g} exp(-{decay:g} n), beta={beta:g}, shape {shape}"
        total += _replay(function, case, optimizers.Momentum(lr=rate, beta=beta),
                         "velocity", steps, rng, shape,
                         lambda p, g, b, n: (p, g, b, rate(n), beta))
    return total


@register("hw2", "task2", function="lecture_adagrad_step",
          title="one update of the lecture's AdaGrad", points=2)
def lecture_adagrad(function, rng, hidden):
    """``lecture_adagrad_step(params, grads, sum_of_squares, t, lr) -> (params, sum)``."""
    total = 0
    for i, shape, steps in _hyper(rng, hidden, 3, 12):
        lr0 = rounded(10 ** rng.uniform(-2, 0))
        rate = schedules.Constant(lr0) if i % 2 == 0 else schedules.InverseSqrtDecay(lr0)
        case = f"run {i}: lr_t = {rate}, shape {shape}"
        total += _replay(function, case, optimizers.LectureAdaGrad(lr=rate), "sum_of_squares",
                         steps, rng, shape, lambda p, g, s, n: (p, g, s, n, rate(n)))
    return total


@register("hw2", "task3", function="rmsprop_step", title="one RMSProp update, as PyTorch's",
          points=2)
def rmsprop(function, rng, hidden):
    """``rmsprop_step(params, grads, square_avg, lr, alpha, eps) -> (params, square_avg)``."""
    total = 0
    for i, shape, steps in _hyper(rng, hidden, 3, 12):
        lr0, alpha = rounded(10 ** rng.uniform(-3, -1)), rounded(rng.uniform(0.5, 0.999), 3)
        eps = [1e-8, 1e-3, 0.1][i % 3]
        rate = schedules.ExponentialDecay(lr0, 0.0 if i == 0 else 0.1)
        case = f"run {i}: lr_n = {rate}, alpha={alpha:g}, eps={eps:g}, shape {shape}"
        total += _replay(function, case, optimizers.RMSProp(lr=rate, alpha=alpha, eps=eps),
                         "square_avg", steps, rng, shape,
                         lambda p, g, v, n: (p, g, v, rate(n), alpha, eps))
    return total


def _signal(rng) -> np.ndarray:
    """A random |y|-like record: quiet stretches, bursts, values hovering at the thresholds."""
    pieces = []
    for _ in range(int(rng.integers(1, 8))):
        kind = rng.integers(0, 4)
        length = int(rng.integers(1, 12))
        if kind == 0:
            pieces.append(rng.uniform(0.0, 0.2, length))
        elif kind == 1:
            pieces.append(rng.uniform(0.55, 3.0, length))
        elif kind == 2:
            pieces.append(rng.choice([0.24, 0.26, 0.49, 0.51, 0.25, 0.5], length))
        else:
            pieces.append(rng.uniform(0.0, 1.0, length))
    signs = rng.choice([-1.0, 1.0], sum(len(p) for p in pieces))
    return np.round(np.concatenate(pieces) * signs, 3)


@register("hw2", "task4", function="find_bursts", title="the bursts of a recorded offset",
          points=1)
def bursts(function, rng, hidden):
    """``find_bursts(offsets) -> [(start, end), ...]`` with ``end`` None for an open burst."""
    cases = [np.array([6.0, 3.0, 0.1, 0.7, 1.2, 0.3, 0.2, 0.6]),
             np.array([0.1, -0.6, 0.4, -0.3, 0.2, 0.9, -0.1]),
             np.array([0.6, 0.7, 0.1]), np.array([], dtype=float)]
    cases += [_signal(rng) for _ in range(3 + (60 if hidden else 0))]
    for offsets in cases:
        case = f"offsets={show(offsets)}"
        got = ask(function, case, offsets.copy())
        expected = reference_bursts(offsets)
        try:
            answer = [(int(s), None if e is None else int(e)) for s, e in got]
        except (TypeError, ValueError):
            raise CaseFailed(case, expected, got) from None
        if answer != expected:
            raise CaseFailed(case, expected, answer)
    return len(cases)


def _valley_reference(rate, steps, start=None) -> np.ndarray:
    valley = StuckValley()
    x0 = np.array(valley.start if start is None else start)
    return run(optimizers.LectureAdaGrad(lr=rate), valley, x0, steps).params


@register("hw2", "task5", function="adagrad_path",
          title="lecture AdaGrad's path on the book's valley", points=2)
def valley_path(function, rng, hidden):
    """``adagrad_path(lr, steps)``: iterates (steps + 1, 2) from ``StuckValley().start``;
    with the constant rate 1 they erupt where the book says."""
    cases = [(schedules.Constant(1.0), 300)]
    if hidden:
        cases += [(schedules.Constant(1.0), int(rng.integers(760, 1001))),
                  (schedules.Constant(rounded(rng.uniform(0.6, 1.4), 2)), 400),
                  (schedules.InverseSqrtDecay(1.0, decay_steps=int(rng.integers(20, 71))), 600)]
    for rate, steps in cases:
        case = f"lr = {rate}, steps={steps}"
        got = as_array(case, ask(function, case, rate, steps), (steps + 1, 2), "the iterates")
        same_array(case, _valley_reference(rate, steps), got, what="iterates", rtol=1e-6,
                   atol=1e-9)
        if isinstance(rate, schedules.Constant) and rate.lr == 1.0 and steps >= 741:
            found = reference_bursts(got[:, 1])
            if found[:3] != ERUPTIONS:
                raise CaseFailed(case, ERUPTIONS, found, reason=(
                    f"the eruptions of y should be {ERUPTIONS}; your path has {found}"))
    return len(cases)


@register("hw2", "task6", function="calm_schedule",
          title="a schedule that removes the eruptions and still arrives", points=1,
          from_scratch=False)
def calm(function, rng, hidden):
    """``calm_schedule()`` returns a schedule (callable step -> rate) for lecture AdaGrad on
    the valley: no burst in 3000 updates and within 0.05 of the minimum at the end."""
    case = "calm_schedule()"
    schedule = ask(function, case)
    if not callable(schedule):
        raise CaseFailed(case, reason="expected a schedule (a callable step -> rate), got "
                                      + show(schedule))
    steps = 3000
    path = _valley_reference(schedule, steps)
    if path.shape[0] != steps + 1 or not np.all(np.isfinite(path)):
        raise CaseFailed(case, reason=f"lecture AdaGrad with your schedule diverged after "
                                      f"{path.shape[0] - 1} updates")
    found = reference_bursts(path[:, 1])
    if found:
        raise CaseFailed(case, reason=f"with your schedule y still erupts: bursts {found}")
    distance = float(np.linalg.norm(path[-1]))
    if not distance < 0.05:
        raise CaseFailed(case, reason=f"no bursts, but after {steps} updates the run is "
                                      f"{distance:.3g} from the minimum (needed: < 0.05)")
    return 1
