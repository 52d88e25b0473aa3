r"""Checks of Homework 1: the seed's three schedules and the libraries' conventions.

Chapter 3 of the book. Each checker compares the student's function with lrlib's schedule on
a few fixed cases (the book's numbers) and on random ones; hidden runs draw many more.
"""

from __future__ import annotations

import numpy as np

from .. import schedules
from .registry import CaseFailed, ask, register, rounded, same_number

__all__: list[str] = []


def _draws(hidden: bool, public: int = 4, extra: int = 40) -> int:
    return public + (extra if hidden else 0)


def _random_rate(rng) -> float:
    return rounded(10 ** rng.uniform(-3, 0))


@register("hw1", "task1", function="time_based_decay", title="the seed's time-based decay",
          points=2)
def time_based(function, rng, hidden):
    """``time_based_decay(lr0, decay, n)``: the recursion eta_{n+1} = eta_n / (1 + d n)."""
    cases = [(0.1, 0.01, 0), (0.1, 0.01, 1), (0.1, 0.01, 2), (0.1, 0.01, 10)]
    for _ in range(_draws(hidden)):
        cases.append((_random_rate(rng), rounded(10 ** rng.uniform(-3, -0.5)),
                      int(rng.integers(0, 150))))
    for lr0, decay, n in cases:
        case = f"lr0={lr0:g}, decay={decay:g}, n={n}"
        got = ask(function, case, lr0, decay, n)
        same_number(case, schedules.TimeBasedDecay(lr0, decay)(n), got, rtol=1e-9)
    return len(cases)


@register("hw1", "task2", function="inverse_time_decay",
          title="the libraries' time-based (inverse-time) decay", points=1)
def inverse_time(function, rng, hidden):
    """``inverse_time_decay(lr0, decay, n)``: Keras' eta_0 / (1 + d n)."""
    cases = [(0.1, 0.01, 0), (0.1, 0.01, 1), (0.1, 0.01, 10), (0.1, 0.5, 3)]
    for _ in range(_draws(hidden)):
        cases.append((_random_rate(rng), rounded(10 ** rng.uniform(-3, 0)),
                      int(rng.integers(0, 1000))))
    for lr0, decay, n in cases:
        case = f"lr0={lr0:g}, decay={decay:g}, n={n}"
        got = ask(function, case, lr0, decay, n)
        same_number(case, schedules.InverseTimeDecay(lr0, decay)(n), got, rtol=1e-9)
    return len(cases)


def _step_cases(rng, hidden):
    """The book's example around the first drop, then random ones, half of them next to a drop."""
    cases = [(0.1, 0.5, 30, 0), (0.1, 0.5, 30, 28), (0.1, 0.5, 30, 29), (0.1, 0.5, 30, 30),
             (0.1, 0.5, 30, 59)]
    for i in range(_draws(hidden, public=3)):
        every = int(rng.integers(1, 50))
        if i % 2 == 0:
            n = int(rng.integers(0, 6)) * every + int(rng.integers(-1, 2))
            n = max(n, 0)
        else:
            n = int(rng.integers(0, 300))
        cases.append((_random_rate(rng), rounded(rng.uniform(0.1, 0.9), 2), every, n))
    return cases


@register("hw1", "task3", function="step_decay", title="the seed's step decay", points=2)
def seed_step(function, rng, hidden):
    """``step_decay(lr0, drop, every, n)``: eta_0 drop^floor((1 + n) / every)."""
    cases = _step_cases(rng, hidden)
    for lr0, drop, every, n in cases:
        case = f"lr0={lr0:g}, drop={drop:g}, every={every}, n={n}"
        got = ask(function, case, lr0, drop, every, n)
        same_number(case, schedules.StepDecay(lr0, drop, every)(n), got, rtol=1e-9)
    return len(cases)


@register("hw1", "task4", function="library_step_decay",
          title="PyTorch's StepLR (and Keras', optax's staircase decay)", points=1)
def library_step(function, rng, hidden):
    """``library_step_decay(lr0, drop, every, n)``: eta_0 drop^floor(n / every)."""
    cases = _step_cases(rng, hidden)
    for lr0, drop, every, n in cases:
        case = f"lr0={lr0:g}, drop={drop:g}, every={every}, n={n}"
        got = ask(function, case, lr0, drop, every, n)
        twin = schedules.MultiStepDecay(lr0, milestones=range(every, n + every + 1, every),
                                        gamma=drop)
        same_number(case, twin(n), got, rtol=1e-9)
    return len(cases)


@register("hw1", "task5", function="exponential_decay", title="the seed's exponential decay",
          points=1)
def exponential(function, rng, hidden):
    """``exponential_decay(lr0, decay, n)``: eta_0 exp(-d n)."""
    cases = [(0.1, 0.01, 0), (0.1, 0.01, 1), (0.1, 0.01, 100), (1.0, 0.5, 7)]
    for _ in range(_draws(hidden)):
        cases.append((_random_rate(rng), rounded(10 ** rng.uniform(-3, 0)),
                      int(rng.integers(0, 500))))
    for lr0, decay, n in cases:
        case = f"lr0={lr0:g}, decay={decay:g}, n={n}"
        got = ask(function, case, lr0, decay, n)
        same_number(case, schedules.ExponentialDecay(lr0, decay)(n), got, rtol=1e-9)
    return len(cases)


@register("hw1", "task6", function="off_by_one_steps",
          title="the steps where the seed's step decay and StepLR disagree", points=3)
def off_by_one(function, rng, hidden):
    """``off_by_one_steps(every, total_steps)``: sorted steps n < total_steps where they differ."""
    cases = [(30, 100), (1, 5), (10, 10), (7, 6)]
    for _ in range(_draws(hidden, public=3, extra=20)):
        every = int(rng.integers(1, 40))
        cases.append((every, int(rng.integers(0, 8 * every + 2))))
    for every, total in cases:
        case = f"every={every}, total_steps={total}"
        got = ask(function, case, every, total)
        steps = np.arange(total)
        seed = schedules.StepDecay(1.0, 0.5, every)(steps)
        library = 0.5 ** (steps // every)
        expected = steps[seed != library]
        try:
            answer = np.sort(np.asarray(got, dtype=float).reshape(-1))
        except (TypeError, ValueError):
            raise CaseFailed(case, expected.tolist(), got) from None
        if answer.shape != expected.shape or not np.array_equal(answer, expected):
            raise CaseFailed(case, expected.tolist(), got)
    return len(cases)
