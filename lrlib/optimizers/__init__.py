"""Update rules: first-order rules numerically equal to their ``torch.optim`` twins, and the
rules that use the surface itself (Newton, line searches, BFGS: see ``second_order`` and
``line_search``, whose ``step`` also takes the surface).

An optimizer is a frozen dataclass of hyperparameters with two pure methods::

    state = opt.init(params)                        # immutable NamedTuple: t and the moments
    params, state = opt.step(params, grads, state)  # one update; new arrays, inputs untouched

Conventions shared by every rule:

- Update ``n`` (``state.t == n`` before the step) uses the rate ``lr(n)`` when ``lr`` is a
  schedule; bias corrections inside it use ``t = n + 1``.
- ``lr`` may be a number, a schedule (any callable ``step -> lr``) or an array that broadcasts
  against the parameters: ``lr`` of shape ``(K, 1)`` with parameters of shape ``(K, d)`` runs
  K learning rates in one call.
- Integer parameters become float64; float32 parameters stay float32 (and so does the state).
- Where a denominator is exactly zero (possible only with ``eps = 0``, in a coordinate whose
  gradients have all been zero) the step is zero; torch would give NaN there.
- Overflow in a diverging run yields inf/NaN parameters silently; the caller detects them.
- ``step(..., inplace=True)`` writes the new parameters and moments into the arrays passed in
  (``params`` and the state's arrays) and returns those same arrays with a new state tuple,
  as ``torch.optim`` updates its tensors: nothing of the parameters' size is allocated, which
  made an Adam step on a million parameters 1.3 to 2.2 times as fast in the benchmarks
  (``benchmarks/RESULTS.md``: the gain is the page faults a new array costs). The
  numbers are the same as without it. ``params`` must then be a writable float array; the
  state passed in is used up (its arrays now hold the new moments).
- Adam and AdamW run as one compiled loop when numba is installed (``pip install
  lrlib[fast]``; the book's environment has it): the same arithmetic in the same order, so
  the same numbers bit for bit, in one pass over memory instead of one per operation (a
  float32 step on a million parameters in place: about 0.4 ms instead of 2.6 ms). Without
  numba, or with the environment variable ``LRLIB_KERNELS=0``, every rule runs as numpy
  expressions. See ``_kernels``.

PyTorch twins (``torch.optim``):

- ``SGD(lr)``: ``SGD``; ``Momentum(lr, beta=0.9, nesterov=False)``: ``SGD(momentum=beta,
  dampening=0)``
- ``AdaGrad(lr=0.01, eps=1e-10, initial_accumulator=0.0)``: ``Adagrad(lr_decay=0)``
- ``RMSProp(lr=0.01, alpha=0.99, eps=1e-8, centered=False, momentum=0.0)``: ``RMSprop``
- ``Adadelta(lr=1.0, rho=0.9, eps=1e-6)``: ``Adadelta``
- ``Adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False)``: ``Adam``;
  ``AdamW(..., weight_decay=1e-2)``: ``AdamW``
- ``Adamax(lr=2e-3)``, ``NAdam(lr=2e-3, momentum_decay=4e-3)``, ``RAdam(lr=1e-3)``: same names
- ``LectureAdaGrad(lr, eps=0.0)``, ``LectureRMSProp(lr, alpha=0.9, eps=0.0)``: no twin (the
  lecture forms; their docstrings give the exact relations to the torch rules)

All rules except the lecture forms also take ``weight_decay`` (L2 added to the gradient, torch
semantics; decoupled in AdamW).
"""

from .adam import Adam, AdamState, AdamW
from .adam_variants import Adamax, AdamaxState, NAdam, NAdamState, RAdam, RAdamState
from .adaptive import Adadelta, AdadeltaState, AdaGrad, AdaGradState, RMSProp, RMSPropState
from .lecture import LectureAdaGrad, LectureAdaGradState, LectureRMSProp, LectureRMSPropState
from .line_search import (
    BacktrackingLineSearch,
    ExactLineSearch,
    ExactLineSearchState,
    LineSearchState,
    armijo_holds,
    wolfe_holds,
)
from .second_order import BFGS, BFGSState, Newton, NewtonState
from .sgd import SGD, Momentum, MomentumState, SGDState

__all__ = [
    "SGD",
    "Momentum",
    "AdaGrad",
    "RMSProp",
    "Adadelta",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "LectureAdaGrad",
    "LectureRMSProp",
    "Newton",
    "BacktrackingLineSearch",
    "ExactLineSearch",
    "BFGS",
    "armijo_holds",
    "wolfe_holds",
    "SGDState",
    "MomentumState",
    "AdaGradState",
    "RMSPropState",
    "AdadeltaState",
    "AdamState",
    "AdamaxState",
    "NAdamState",
    "RAdamState",
    "LectureAdaGradState",
    "LectureRMSPropState",
    "NewtonState",
    "LineSearchState",
    "ExactLineSearchState",
    "BFGSState",
]
