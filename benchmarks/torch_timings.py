"""The torch side of ``make bench``: run in an interpreter that has torch (and numpy).

    TORCH_PYTHON benchmarks/torch_timings.py [--quick]  >  torch.json
    TORCH_PYTHON benchmarks/torch_timings.py --serve     (one JSON request per line: bench.py)

It times ``optimizer.step()`` of each ``torch.optim`` twin of an lrlib rule (gradients set
beforehand: the step alone), on the default path and, where torch has one, the fused CPU
kernel; and a Python loop of torch Adam runs on the sweep's 2-D bowl. It prints one JSON
object. It does not import lrlib: ``bench.py`` runs it as a subprocess and merges the numbers.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from _timing import load_average, per_call  # noqa: E402

# lrlib rule -> (torch.optim class, arguments): the twins named in lrlib.optimizers, with the
# same hyperparameters as the lrlib side of the benchmark (bench.py: RULES).
TWINS = {
    "SGD": ("SGD", {"lr": 0.01}),
    "Momentum": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "AdaGrad": ("Adagrad", {"lr": 0.01}),
    "RMSProp": ("RMSprop", {"lr": 0.01}),
    "Adadelta": ("Adadelta", {}),
    "Adam": ("Adam", {}),
    "AdamW": ("AdamW", {}),
    "Adamax": ("Adamax", {}),
    "NAdam": ("NAdam", {}),
    "RAdam": ("RAdam", {}),
}
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def time_step(rule: str, size: int, dtype: str, path: str, threads: int | None = None) -> dict | None:
    """Seconds per ``optimizer.step()``; None where torch has no such path for the rule.

    ``threads`` sets ``torch.set_num_threads`` for this timing (default: torch's own choice,
    one per core); numpy's arithmetic runs on one thread.
    """
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    try:
        return _time_step(rule, size, dtype, path)
    finally:
        torch.set_num_threads(default_threads)


def _time_step(rule, size, dtype, path):
    name, arguments = TWINS[rule]
    generator = torch.Generator().manual_seed(size)
    param = torch.nn.Parameter(torch.rand(size, dtype=DTYPES[dtype], generator=generator))
    param.grad = torch.rand(size, dtype=DTYPES[dtype], generator=generator)
    extra = {"fused": True} if path == "fused" else {}
    try:
        optimizer = getattr(torch.optim, name)([param], **arguments, **extra)
        optimizer.step()  # creates the state
    except (RuntimeError, TypeError, ValueError):
        return None
    budget = 0.5 if size < 10**5 else 1.5
    return per_call(optimizer.step, target=0.01, repeats=15, budget=budget)


def adam_run(lr: float, steps: int, curvatures: torch.Tensor) -> torch.Tensor:
    """One torch Adam run on f(x) = sum(c x^2)/2 from (1, 1), recording iterates and losses
    (what lrlib.run records), with the exact gradient c x (no autograd)."""
    param = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    optimizer = torch.optim.Adam([param], lr=lr)
    params = torch.empty(steps + 1, 2, dtype=torch.float64)
    loss = torch.empty(steps + 1, dtype=torch.float64)
    with torch.no_grad():
        for k in range(steps + 1):
            x = param.detach()
            grad = curvatures * x
            params[k] = x
            loss[k] = 0.5 * (x * grad).sum()
            if k < steps:
                param.grad = grad
                optimizer.step()
    return loss


def time_sweep_loop(count: int, runs: int, steps: int) -> dict:
    """A Python loop of torch Adam runs: ``runs`` of the ``count`` rates, scaled to ``count``."""
    rates = torch.logspace(-4, 0, count, dtype=torch.float64)
    chosen = rates[torch.linspace(0, count - 1, runs).round().long()]
    curvatures = torch.tensor([1.0, 10.0], dtype=torch.float64)
    start = time.perf_counter()
    for lr in chosen.tolist():
        adam_run(lr, steps, curvatures)
    measured = time.perf_counter() - start
    return {"runs_timed": runs, "measured_s": measured, "estimated_s": measured * count / runs}


def serve() -> None:
    """Answer one JSON request per line on stdin, one JSON line each on stdout (bench.py asks
    for each torch timing right after the matching lrlib one, so that both see the same load).

    Requests: ``{"step": [rule, size, dtype, path]}``, ``{"sweep": [count, runs, steps]}``,
    ``{"info": null}``.
    """
    for line in sys.stdin:
        request = json.loads(line)
        if "step" in request:
            answer = time_step(*request["step"])
        elif "sweep" in request:
            answer = time_sweep_loop(*request["sweep"])
        else:
            answer = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        print(json.dumps(answer), flush=True)


def main(argv) -> None:
    if "--serve" in argv:
        serve()
        return
    quick = "--quick" in argv
    sizes = (2, 1000) if quick else (2, 1000, 1_000_000)
    steps = []
    for rule in TWINS:
        for size in sizes:
            for dtype in DTYPES:
                for path in ("default", "fused"):
                    result = time_step(rule, size, dtype, path)
                    if result is not None:
                        steps.append({"rule": rule, "size": size, "dtype": dtype, "path": path,
                                      **result})
    sweep = time_sweep_loop(1000, 5 if quick else 20, 1000)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "load_average": load_average(), "steps": steps, "sweep_loop": sweep}))


if __name__ == "__main__":
    main(sys.argv[1:])
