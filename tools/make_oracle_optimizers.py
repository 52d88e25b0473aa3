"""Write tests/oracle/optimizers.json: PyTorch optimizer trajectories for lrlib to replay.

Run from the repository root with the PyTorch environment (never needed to run the tests)::

    /tmp/torchenv/bin/python tools/make_oracle_optimizers.py

Each case runs ``steps`` updates of one ``torch.optim`` optimizer (float64, ``foreach=False``,
the single-tensor path) on a problem with a closed-form objective, and records every iterate
and the gradient torch saw at each of them. The format is documented in ``lrlib/_oracle.py``;
``lrlib._oracle.replay_optimizer`` feeds the recorded gradients to the lrlib twin named in the
case, so a replay compares the update arithmetic alone.

Problems:

- ``rosenbrock``: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1).
- ``quadratic5``: f(x) = 1/2 (x - c)^T A (x - c), A = Q diag(1, 3, 10, 30, 100) Q^T with a
  fixed rotation Q (QR of a seeded Gaussian matrix) and offset c; it starts at x0.
  A, c and x0 are stored in the file under ``problems``.

Some cases drive the optimizer with a torch LR scheduler (``scheduler.step()`` after each
``optimizer.step()``, so update k uses the rate after k scheduler steps); their "schedule"
field names the lrlib schedule twin, which replay passes as ``lr``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import torch

STEPS = 200
TOLERANCE = 1e-12
OUTPUT = Path("tests/oracle/optimizers.json")

torch.set_default_dtype(torch.float64)


def _quadratic5():
    rng = np.random.default_rng(20240611)
    rotation, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    eigenvalues = np.array([1.0, 3.0, 10.0, 30.0, 100.0])
    matrix = rotation @ np.diag(eigenvalues) @ rotation.T
    matrix = (matrix + matrix.T) / 2  # exactly symmetric
    offset = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    x0 = np.array([2.0, 1.0, -1.0, 0.5, -2.0])
    return matrix, offset, x0


QUAD_MATRIX, QUAD_OFFSET, QUAD_X0 = _quadratic5()

PROBLEMS = {
    "rosenbrock": {
        "formula": "(1 - x)^2 + 100 (y - x^2)^2",
        "x0": [-1.2, 1.0],
    },
    "quadratic5": {
        "formula": "1/2 (x - c)^T A (x - c)",
        "A": QUAD_MATRIX.tolist(),
        "c": QUAD_OFFSET.tolist(),
        "eigenvalues": [1.0, 3.0, 10.0, 30.0, 100.0],
        "x0": QUAD_X0.tolist(),
    },
}


def _objective(problem: str):
    if problem == "rosenbrock":
        return lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    matrix = torch.tensor(QUAD_MATRIX)
    offset = torch.tensor(QUAD_OFFSET)
    return lambda p: 0.5 * (p - offset) @ (matrix @ (p - offset))


def run_torch(problem, torch_class, torch_kwargs, scheduler=None):
    """Iterates (steps+1, d) and gradients (steps, d) of one torch run."""
    objective = _objective(problem)
    x0 = PROBLEMS[problem]["x0"]
    param = torch.tensor(x0, requires_grad=True)
    optimizer = getattr(torch.optim, torch_class)([param], foreach=False, **torch_kwargs)
    sched = scheduler(optimizer) if scheduler else None
    params, grads = [param.detach().clone().tolist()], []
    for _ in range(STEPS):
        optimizer.zero_grad()
        objective(param).backward()
        grads.append(param.grad.detach().clone().tolist())
        optimizer.step()
        if sched is not None:
            sched.step()
        params.append(param.detach().clone().tolist())
    return params, grads


def _betas(kwargs):
    """torch's ``betas=(b1, b2)`` as lrlib's ``beta1, beta2``."""
    out = dict(kwargs)
    if "betas" in out:
        out["beta1"], out["beta2"] = out.pop("betas")
    return out


def _case(name, problem, torch_class, torch_kwargs, lrlib_class, lrlib_kwargs=None,
          schedule=None, tolerance=TOLERANCE):
    if lrlib_kwargs is None:
        lrlib_kwargs = _betas(torch_kwargs)
    return {
        "id": f"{lrlib_class}/{name}",
        "torch": {"class": torch_class, "kwargs": torch_kwargs},
        "lrlib": {"class": lrlib_class, "kwargs": lrlib_kwargs},
        "schedule": schedule,
        "problem": problem,
        "tolerance": tolerance,
    }


def plain_cases():
    """Optimizer cases with a constant rate, several settings per rule."""
    R, Q = "rosenbrock", "quadratic5"

    def momentum(name, problem, lr, beta, nesterov=False, **extra):
        return _case(name, problem, "SGD",
                     {"lr": lr, "momentum": beta, "dampening": 0.0, "nesterov": nesterov, **extra},
                     "Momentum", {"lr": lr, "beta": beta, "nesterov": nesterov, **extra})

    cases = [
        _case("rosenbrock,lr=1e-3", R, "SGD", {"lr": 1e-3}, "SGD"),
        _case("quadratic,lr=0.015", Q, "SGD", {"lr": 0.015}, "SGD"),
        _case("quadratic,weight_decay=0.1", Q, "SGD", {"lr": 0.01, "weight_decay": 0.1}, "SGD"),
        momentum("rosenbrock,beta=0.9", R, 2e-4, 0.9),
        momentum("rosenbrock,beta=0.9,nesterov", R, 2e-4, 0.9, True),
        momentum("quadratic,beta=0.5", Q, 0.01, 0.5),
        momentum("quadratic,beta=0.95,nesterov,weight_decay=0.01", Q, 0.005, 0.95, True,
                 weight_decay=0.01),
        _case("rosenbrock,lr=0.1", R, "Adagrad", {"lr": 0.1}, "AdaGrad"),
        _case("quadratic,initial_accumulator=0.1", Q, "Adagrad",
              {"lr": 0.5, "initial_accumulator_value": 0.1}, "AdaGrad",
              {"lr": 0.5, "initial_accumulator": 0.1}),
        _case("quadratic,eps=0", Q, "Adagrad", {"lr": 0.5, "eps": 0.0}, "AdaGrad"),
        _case("rosenbrock,weight_decay=0.01", R, "Adagrad",
              {"lr": 0.05, "weight_decay": 0.01}, "AdaGrad"),
        _case("rosenbrock,lr=0.01", R, "RMSprop", {"lr": 0.01}, "RMSProp"),
        _case("quadratic,centered", Q, "RMSprop", {"lr": 0.01, "centered": True}, "RMSProp"),
        _case("rosenbrock,momentum=0.9", R, "RMSprop", {"lr": 1e-3, "momentum": 0.9}, "RMSProp"),
        _case("quadratic,alpha=0.9,centered,momentum=0.5,weight_decay=0.01", Q, "RMSprop",
              {"lr": 5e-3, "alpha": 0.9, "centered": True, "momentum": 0.5,
               "weight_decay": 0.01}, "RMSProp"),
        _case("rosenbrock,defaults", R, "Adadelta", {}, "Adadelta"),
        _case("quadratic,lr=0.5,rho=0.95,eps=1e-4", Q, "Adadelta",
              {"lr": 0.5, "rho": 0.95, "eps": 1e-4}, "Adadelta"),
        _case("rosenbrock,lr=2,rho=0.5,weight_decay=0.01", R, "Adadelta",
              {"lr": 2.0, "rho": 0.5, "weight_decay": 0.01}, "Adadelta"),
        _case("rosenbrock,lr=0.01", R, "Adam", {"lr": 0.01}, "Adam"),
        _case("quadratic,amsgrad", Q, "Adam", {"lr": 0.05, "amsgrad": True}, "Adam"),
        _case("rosenbrock,betas=(0.5,0.9),eps=1e-3", R, "Adam",
              {"lr": 0.02, "betas": [0.5, 0.9], "eps": 1e-3}, "Adam"),
        _case("quadratic,weight_decay=0.1", Q, "Adam", {"lr": 0.05, "weight_decay": 0.1}, "Adam"),
        _case("rosenbrock,lr=0.01", R, "AdamW", {"lr": 0.01}, "AdamW"),
        _case("quadratic,weight_decay=0.1,amsgrad", Q, "AdamW",
              {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}, "AdamW"),
        _case("rosenbrock,lr=0.01", R, "Adamax", {"lr": 0.01}, "Adamax"),
        _case("quadratic,beta2=0.99,eps=1e-3,weight_decay=0.01", Q, "Adamax",
              {"lr": 0.05, "betas": [0.9, 0.99], "eps": 1e-3, "weight_decay": 0.01}, "Adamax"),
        _case("rosenbrock,lr=0.01", R, "NAdam", {"lr": 0.01}, "NAdam"),
        _case("quadratic,momentum_decay=0.01,beta2=0.99", Q, "NAdam",
              {"lr": 0.02, "betas": [0.9, 0.99], "momentum_decay": 0.01}, "NAdam"),
        _case("rosenbrock,momentum_decay=0,weight_decay=0.01", R, "NAdam",
              {"lr": 0.01, "momentum_decay": 0.0, "weight_decay": 0.01}, "NAdam"),
        # Its first five updates are SGD steps lr * m_hat: 0.01 would throw Rosenbrock far out.
        _case("rosenbrock,lr=1e-3", R, "RAdam", {"lr": 1e-3}, "RAdam"),
        _case("quadratic,beta2=0.99", Q, "RAdam", {"lr": 0.05, "betas": [0.9, 0.99]}, "RAdam"),
        _case("quadratic,betas=(0.5,0.999),eps=1e-4,weight_decay=0.01", Q, "RAdam",
              {"lr": 0.05, "betas": [0.5, 0.999], "eps": 1e-4, "weight_decay": 0.01}, "RAdam"),
    ]
    return [(case, None) for case in cases]


def scheduled_cases():
    """Cases where a torch LR scheduler drives the optimizer; lrlib gets the schedule twin."""
    sched = torch.optim.lr_scheduler
    R, Q = "rosenbrock", "quadratic5"

    def schedule(torch_class, torch_kwargs, lrlib_class, lrlib_kwargs):
        return {"torch": {"class": torch_class, "kwargs": torch_kwargs},
                "lrlib": {"class": lrlib_class, "kwargs": lrlib_kwargs}}

    return [
        (_case("quadratic,StepLR(50,0.5)", Q, "SGD", {"lr": 0.015}, "SGD", {},
               schedule("StepLR", {"step_size": 50, "gamma": 0.5},
                        "MultiStepDecay", {"lr0": 0.015, "milestones": [50, 100, 150],
                                           "gamma": 0.5})),
         lambda opt: sched.StepLR(opt, step_size=50, gamma=0.5)),
        (_case("rosenbrock,beta=0.9,CosineAnnealingLR(200)", R, "SGD",
               {"lr": 2e-4, "momentum": 0.9, "dampening": 0.0}, "Momentum", {"beta": 0.9},
               schedule("CosineAnnealingLR", {"T_max": STEPS},
                        "CosineDecay", {"lr0": 2e-4, "total_steps": STEPS})),
         lambda opt: sched.CosineAnnealingLR(opt, T_max=STEPS)),
        (_case("rosenbrock,OneCycleLR(0.05,200)", R, "Adam", {"lr": 0.05}, "Adam", {},
               schedule("OneCycleLR", {"max_lr": 0.05, "total_steps": STEPS,
                                       "cycle_momentum": False},
                        "OneCycle", {"lr_max": 0.05, "total_steps": STEPS})),
         lambda opt: sched.OneCycleLR(opt, max_lr=0.05, total_steps=STEPS,
                                      cycle_momentum=False)),
        (_case("quadratic,eps=0,LambdaLR(1/sqrt(k+1))", Q, "Adagrad", {"lr": 0.5, "eps": 0.0},
               "AdaGrad", {"eps": 0.0},
               schedule("LambdaLR", {"lr_lambda": "lambda k: 1 / math.sqrt(k + 1)"},
                        "InverseSqrtDecay", {"lr0": 0.5})),
         lambda opt: sched.LambdaLR(opt, lr_lambda=lambda k: 1 / math.sqrt(k + 1))),
    ]


def main() -> int:
    cases = []
    for case, scheduler in plain_cases() + scheduled_cases():
        params, grads = run_torch(case["problem"], case["torch"]["class"],
                                  case["torch"]["kwargs"], scheduler)
        if not np.all(np.abs(params) < 10):
            raise RuntimeError(f"{case['id']}: the torch run diverged; pick another setting")
        case["params"], case["grads"] = params, grads
        cases.append(case)
        start = np.asarray(params[0])
        print(f"{case['id']:70s} moved {np.linalg.norm(np.asarray(params[-1]) - start):.3g}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "torch_version": torch.__version__,
        "generator": "tools/make_oracle_optimizers.py",
        "steps": STEPS,
        "dtype": "float64 (torch.set_default_dtype), foreach=False",
        "problems": PROBLEMS,
        "cases": cases,
    }
    OUTPUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
