r"""Small classifiers in numpy, as finite-sum surfaces: :class:`SoftmaxRegression` and :class:`MLP`.

A model holds its training data and is a *surface* in the sense of :mod:`lrlib.surfaces`: the
loss is a function of one flat parameter vector (shape ``(..., dim)``, vectorised over leading
axes, so a batch of K parameter vectors is evaluated in one call), with ``n_samples`` and
``idx=`` for minibatches. :func:`lrlib.run`, :func:`lrlib.sweep`, :func:`lrlib.lr_range_test` and
every optimizer work with it unchanged. The gradients are written by hand (backpropagation);
the tests check them against central finite differences.

:func:`train` is a lean training loop for such models: the same updates on the same seeded
minibatches (:func:`minibatches`) as :func:`lrlib.run`, but it evaluates the full training loss
only every ``every`` updates, where ``run`` evaluates the full loss and gradient after every
update (which costs ``n_samples / batch_size`` minibatch gradients each time).

The loss is the mean cross-entropy of a softmax over the classes plus an optional L2 penalty
on the weights (not on the biases). Both models compute the log-softmax stably, by
subtracting each row's largest logit before exponentiating.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._models_base import Classifier, cross_entropy, examples_done, times, times_transposed
from ._validation import check_int, fail_type, fail_value
from .trajectory import _full_shape

__all__ = ["SoftmaxRegression", "MLP", "minibatches", "train", "TrainingRecord"]


@dataclass(frozen=True, init=False, eq=False, repr=False)
class SoftmaxRegression(Classifier):
    r"""Multinomial logistic (softmax) regression: a linear classifier with a convex loss.

    The parameter vector (length :attr:`dim` :math:`= pC + C`) holds the weight matrix
    :math:`W` (p, C), row by row, then the biases :math:`b` (C,); :meth:`unpack` splits it.

    Parameters
    ----------
    x : array_like, shape (n, p)
        Training inputs, one example per row.
    y : array_like of int, shape (n,)
        Training labels, ``0 .. n_classes - 1``.
    l2 : float, default 0
        Strength :math:`\lambda \ge 0` of the L2 penalty on the weights.
    n_classes : int, optional
        Number of classes :math:`C` (default: the largest label + 1).

    Raises
    ------
    ValueError, TypeError
        For non-finite or mis-shaped inputs, labels that are not integers, a negative ``l2``.

    Notes
    -----
    With logits :math:`z_i = W^\top x_i + b` and the softmax :math:`p_i = e^{z_i}/\sum_c
    e^{z_{ic}}`, the loss over a minibatch :math:`B` (all examples when ``idx`` is None) is

    .. math::
        f_B(\theta) = \frac{1}{|B|} \sum_{i \in B} \Bigl(\log \sum_c e^{z_{ic}} - z_{i y_i}\Bigr)
        + \frac{\lambda}{2} \lVert W \rVert_F^2 ,

    and its gradient, with :math:`Y_i` the one-hot row of label :math:`y_i`,

    .. math::
        \nabla_W f_B = \frac{1}{|B|} \sum_{i \in B} x_i (p_i - Y_i)^\top + \lambda W, \qquad
        \nabla_b f_B = \frac{1}{|B|} \sum_{i \in B} (p_i - Y_i).

    The loss is convex in :math:`\theta` (and unchanged when the same constant is added to
    every bias); the largest eigenvalue of its Hessian is at most
    :math:`\tfrac12 \lambda_{\max}(\tfrac{1}{n}\sum_i \tilde x_i \tilde x_i^\top) + \lambda`
    (with :math:`\tilde x_i = (x_i, 1)`), since the softmax's Jacobian
    :math:`\mathrm{diag}(p) - pp^\top` has eigenvalues at most 1/2.

    A batch of parameter vectors is evaluated with one matrix product per layer (BLAS), so
    a batched call agrees with one-at-a-time calls to rounding, not bit for bit.

    Examples
    --------
    >>> model = SoftmaxRegression([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 2])
    >>> model.dim
    9
    >>> theta = model.init_params()
    >>> float(model.f(theta)), float(np.log(3))        # uniform prediction: log C
    (1.0986122886681098, 1.0986122886681098)
    >>> model.grad(np.zeros((4, 9))).shape               # a batch of 4 parameter vectors
    (4, 9)
    """

    x: np.ndarray
    y: np.ndarray
    l2: float
    n_classes: int

    def __init__(self, x, y, l2=0.0, *, n_classes=None):
        self._set_data(x, y, l2, n_classes)

    @property
    def dim(self) -> int:
        """Number of parameters, :math:`pC + C`."""
        return (self.n_features + 1) * self.n_classes

    def init_params(self) -> np.ndarray:
        """The start point: all zeros (every class equally likely; the loss is :math:`\\log C`)."""
        return np.zeros(self.dim)

    def unpack(self, params):
        """``(W, b)``: views of shapes ``(..., p, C)`` and ``(..., C)`` of ``params``."""
        theta = self.points(params)
        split = self.n_features * self.n_classes
        weights = theta[..., :split].reshape(theta.shape[:-1] + (self.n_features, self.n_classes))
        return weights, theta[..., split:]

    def _forward(self, flat, inputs):
        weights, bias = self.unpack(flat)
        return (times(inputs, weights) + bias,)

    def _loss_and_grad(self, flat, inputs, labels, want_grad):
        weights, _ = self.unpack(flat)
        (logits,) = self._forward(flat, inputs)
        loss, delta = cross_entropy(logits, labels, want_grad)
        if self.l2:
            loss = loss + 0.5 * self.l2 * (weights**2).sum(axis=(-2, -1))
        if not want_grad:
            return loss, None
        grad_w = times_transposed(inputs, delta) + self.l2 * weights
        count = flat.shape[0]
        return loss, np.concatenate([grad_w.reshape(count, -1), delta.sum(axis=0)], axis=1)


@dataclass(frozen=True, init=False, eq=False, repr=False)
class MLP(Classifier):
    r"""A multilayer perceptron with one hidden layer of tanh units and a softmax output.

    The parameter vector (length :attr:`dim` :math:`= pH + H + HC + C`) holds :math:`W_1`
    (p, H) row by row, :math:`b_1` (H,), :math:`W_2` (H, C) row by row and :math:`b_2` (C,);
    :meth:`unpack` splits it.

    Parameters
    ----------
    x : array_like, shape (n, p)
        Training inputs, one example per row.
    y : array_like of int, shape (n,)
        Training labels, ``0 .. n_classes - 1``.
    hidden : int, default 32
        Number of hidden units :math:`H`.
    l2 : float, default 0
        Strength :math:`\lambda \ge 0` of the L2 penalty on the two weight matrices.
    seed : int, default 0
        Seed of :meth:`init_params`.
    n_classes : int, optional
        Number of classes :math:`C` (default: the largest label + 1).

    Raises
    ------
    ValueError, TypeError
        For bad data (as :class:`SoftmaxRegression`), ``hidden < 1``, a negative ``l2`` or seed.

    Notes
    -----
    Forward pass, for the examples of a minibatch :math:`B` (rows of :math:`X_B`):

    .. math::
        A = \tanh(X_B W_1 + b_1), \qquad Z = A W_2 + b_2, \qquad
        f_B = \frac{1}{|B|}\sum_{i \in B} \Bigl(\log \sum_c e^{Z_{ic}} - Z_{i y_i}\Bigr)
        + \frac{\lambda}{2}\bigl(\lVert W_1 \rVert_F^2 + \lVert W_2 \rVert_F^2\bigr).

    Backward pass (backpropagation), with :math:`P` the softmax of :math:`Z` and :math:`Y`
    the one-hot labels:

    .. math::
        \Delta_2 = (P - Y)/|B|, \quad \nabla_{W_2} = A^\top \Delta_2 + \lambda W_2, \quad
        \nabla_{b_2} = \mathbf 1^\top \Delta_2, \\
        \Delta_1 = (\Delta_2 W_2^\top) \odot (1 - A \odot A), \quad
        \nabla_{W_1} = X_B^\top \Delta_1 + \lambda W_1, \quad \nabla_{b_1} = \mathbf 1^\top \Delta_1 .

    tanh is smooth, so central differences check these gradients to high accuracy at every
    point (a ReLU's kinks would spoil such a check at some of them). The loss is not convex:
    the start point matters, and :meth:`init_params` draws it from ``seed``.

    Examples
    --------
    >>> model = MLP([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 2], hidden=4)
    >>> model.dim                                        # 2*4 + 4 + 4*3 + 3
    27
    >>> theta = model.init_params()
    >>> theta.shape, float(theta[8:12].sum())            # the biases start at 0
    ((27,), 0.0)
    >>> model.predict(theta, [[0.0, 1.0]]).shape
    (1,)
    """

    x: np.ndarray
    y: np.ndarray
    hidden: int
    l2: float
    seed: int
    n_classes: int

    def __init__(self, x, y, hidden=32, l2=0.0, seed=0, *, n_classes=None):
        self._set_data(x, y, l2, n_classes)
        object.__setattr__(self, "hidden", check_int("hidden", hidden, min_value=1))
        object.__setattr__(self, "seed", check_int("seed", seed, min_value=0))

    @property
    def dim(self) -> int:
        """Number of parameters, :math:`pH + H + HC + C`."""
        return (self.n_features + 1) * self.hidden + (self.hidden + 1) * self.n_classes

    def init_params(self) -> np.ndarray:
        r"""The seeded start point: :math:`W_1 \sim N(0, 1/p)`, :math:`W_2 \sim N(0, 1/H)`, biases 0.

        The scales keep each unit's input of order 1 (LeCun's initialisation), so the tanh
        units start in their responsive range.
        """
        rng = np.random.default_rng(self.seed)
        p, hidden, classes = self.n_features, self.hidden, self.n_classes
        first = rng.standard_normal((p, hidden)) / np.sqrt(p)
        second = rng.standard_normal((hidden, classes)) / np.sqrt(hidden)
        return np.concatenate([first.ravel(), np.zeros(hidden), second.ravel(), np.zeros(classes)])

    def unpack(self, params):
        """``(W1, b1, W2, b2)``: views of shapes ``(..., p, H)``, ``(..., H)``, ``(..., H, C)``, ``(..., C)``."""
        theta = self.points(params)
        lead = theta.shape[:-1]
        p, hidden, classes = self.n_features, self.hidden, self.n_classes
        ends = np.cumsum([p * hidden, hidden, hidden * classes])
        return (theta[..., :ends[0]].reshape(lead + (p, hidden)), theta[..., ends[0]:ends[1]],
                theta[..., ends[1]:ends[2]].reshape(lead + (hidden, classes)), theta[..., ends[2]:])

    def _forward(self, flat, inputs):
        first, bias1, second, bias2 = self.unpack(flat)
        activations = np.tanh(times(inputs, first) + bias1)                      # (m, K, H)
        logits = np.matmul(activations.transpose(1, 0, 2), second).transpose(1, 0, 2) + bias2
        return activations, logits

    def _loss_and_grad(self, flat, inputs, labels, want_grad):
        first, _, second, _ = self.unpack(flat)
        activations, logits = self._forward(flat, inputs)
        loss, delta2 = cross_entropy(logits, labels, want_grad)
        if self.l2:
            loss = loss + 0.5 * self.l2 * ((first**2).sum(axis=(-2, -1))
                                           + (second**2).sum(axis=(-2, -1)))
        if not want_grad:
            return loss, None
        by_member = activations.transpose(1, 0, 2)                                 # (K, m, H)
        grad_second = np.matmul(by_member.transpose(0, 2, 1), delta2.transpose(1, 0, 2))
        back = np.matmul(delta2.transpose(1, 0, 2), second.transpose(0, 2, 1))      # (K, m, H)
        delta1 = back.transpose(1, 0, 2) * (1.0 - activations**2)
        grad_first = times_transposed(inputs, delta1)
        count = flat.shape[0]
        return loss, np.concatenate([
            (grad_first + self.l2 * first).reshape(count, -1), delta1.sum(axis=0),
            (grad_second + self.l2 * second).reshape(count, -1), delta2.sum(axis=0)], axis=1)


def minibatches(n_samples, batch_size, steps, seed=0):
    r"""The indices of the minibatches of ``steps`` updates: the sampler of :func:`lrlib.run`.

    Each epoch is a fresh random permutation of ``range(n_samples)`` from
    ``np.random.default_rng(seed)``, cut into consecutive minibatches of ``batch_size``; the
    last minibatch of an epoch is smaller when ``batch_size`` does not divide ``n_samples``.

    Parameters
    ----------
    n_samples : int
        Number of examples, ``>= 1``.
    batch_size : int
        Examples per minibatch, in ``[1, n_samples]``.
    steps : int
        Number of minibatches (updates), ``>= 0``.
    seed : int, default 0
        Seed of the permutations.

    Yields
    ------
    ndarray of int
        The indices of one minibatch.

    Examples
    --------
    >>> [batch.tolist() for batch in minibatches(5, 2, 4, seed=0)]
    [[2, 4], [3, 0], [1], [4, 1]]
    """
    n_samples = check_int("n_samples", n_samples, min_value=1)
    batch_size = check_int("batch_size", batch_size, min_value=1, max_value=n_samples)
    steps = check_int("steps", steps, min_value=0)
    rng = np.random.default_rng(check_int("seed", seed, min_value=0))
    order, position = None, 0
    for _ in range(steps):
        if order is None or position >= n_samples:
            order, position = rng.permutation(n_samples), 0
        yield order[position:position + batch_size]
        position += batch_size


@dataclass(frozen=True, eq=False)
class TrainingRecord:
    r"""What :func:`train` records: the full training loss and the parameters every few updates.

    Attributes
    ----------
    steps : ndarray of int, shape (R,)
        The updates done at each record: ``0, every, 2 every, ...`` and the last update.
    examples : ndarray of int, shape (R,)
        The examples processed by then (gradient evaluations of single examples): the budget.
    loss : ndarray, shape (R, \*batch)
        The full training loss at each record; NaN once a member has diverged.
    params : ndarray, shape (R, \*batch, d)
        The parameters at each record; NaN once a member has diverged.
    diverged_at : ndarray of int, shape batch
        The update after which a member went bad (parameters not finite, or a recorded loss not
        finite or above ``max_loss``); -1 where it never did. For a bad recorded loss this is
        the update of that record.

    Examples
    --------
    >>> model = SoftmaxRegression([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 2])
    >>> from lrlib.optimizers import SGD
    >>> record = train(SGD(np.array([[0.5], [1e6]])), model, model.init_params(), 4,
    ...                batch_size=2, every=2, max_loss=10.0)
    >>> record.steps, record.examples, record.diverged_at
    (array([0, 2, 4]), array([0, 3, 6]), array([-1,  2]))
    >>> record.final_loss.round(3)
    array([0.874,   inf])
    """

    steps: np.ndarray
    examples: np.ndarray
    loss: np.ndarray
    params: np.ndarray
    diverged_at: np.ndarray

    @property
    def diverged(self) -> np.ndarray:
        """True for the members that went bad."""
        return self.diverged_at >= 0

    @property
    def final_loss(self):
        """The last recorded loss; inf for a member that diverged."""
        return np.where(self.diverged, np.inf, self.loss[-1])[()]

    @property
    def final_params(self) -> np.ndarray:
        """The parameters after the last update (NaN for a member that diverged)."""
        return self.params[-1]


def train(optimizer, model, params, steps, *, batch_size, seed=0, every=None, max_loss=1e100):
    r"""Minibatch training of a finite-sum model, recording the full loss every ``every`` updates.

    Parameters
    ----------
    optimizer : optimizer
        Anything with ``init(params)`` and ``step(params, grads, state)``; array
        hyperparameters broadcast against ``params`` as in :func:`lrlib.run`.
    model : finite-sum surface
        Anything with ``n_samples``, ``f(params)`` and ``grad(params, idx)`` (the models of this
        module, :class:`lrlib.LeastSquares`).
    params : array_like, shape (\*batch, d)
        Start point(s); broadcast against the optimizer's array hyperparameters.
    steps : int
        Number of updates, ``>= 0``.
    batch_size : int
        Examples per minibatch, in ``[1, n_samples]``.
    seed : int, default 0
        Seed of the minibatches (:func:`minibatches`); every member of a batch sees the same ones.
    every : int, optional
        Record every ``every`` updates (default: once per epoch, ``ceil(n_samples / batch_size)``);
        the start and the last update are always recorded.
    max_loss : float, default 1e100
        A recorded loss above this counts as divergence.

    Returns
    -------
    TrainingRecord

    Raises
    ------
    TypeError, ValueError
        For a bad argument, named with its value.

    Notes
    -----
    Update :math:`n` is :math:`(\theta_{n+1}, s_{n+1}) = \mathrm{step}(\theta_n,
    \nabla f_{B_n}(\theta_n), s_n)` with the minibatches :math:`B_n` of
    :func:`minibatches`: exactly the updates of ``lrlib.run(optimizer, model, params, steps,
    batch_size=batch_size, seed=seed)``, whose recorded losses it reproduces at the recorded
    steps. The cost is one minibatch gradient per update plus one full loss per record; ``run``
    also evaluates the full loss and gradient after every update. Arithmetic runs under
    ``np.errstate(all="ignore")``: a diverging member emits no warning and is set to NaN.

    Examples
    --------
    >>> from lrlib.optimizers import Momentum
    >>> model = SoftmaxRegression([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [0, 1, 2, 2])
    >>> record = train(Momentum(0.5), model, model.init_params(), 20, batch_size=2)
    >>> record.steps[:4], bool(record.loss[-1] < record.loss[0])
    (array([0, 2, 4, 6]), True)
    """
    if not (callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "step", None))):
        raise fail_type("optimizer", "an object with init(params) and step(params, grads, state)",
                        optimizer)
    n_samples = getattr(model, "n_samples", None)
    if not (isinstance(n_samples, numbers.Integral) and callable(getattr(model, "grad", None))):
        raise fail_type("model", "a finite-sum surface (with n_samples, f and grad(params, idx))",
                        model)
    steps = check_int("steps", steps, min_value=0)
    batch_size = check_int("batch_size", batch_size, min_value=1, max_value=n_samples)
    every = -(-n_samples // batch_size) if every is None else check_int("every", every, min_value=1)
    if isinstance(max_loss, (bool, np.bool_)) or not isinstance(max_loss, numbers.Real):
        raise fail_type("max_loss", "a real number", max_loss)
    if not max_loss > 0:
        raise fail_value("max_loss", "a number > 0 (inf to disable)", max_loss)
    start = np.array(params, dtype=float)
    if start.ndim == 0 or start.shape[-1] != model.dim or not np.all(np.isfinite(start)):
        raise fail_value("params", f"finite real numbers of shape (..., {model.dim})", params)
    x = np.array(np.broadcast_to(start, _full_shape(optimizer, start.shape)))
    batch = x.shape[:-1]
    recorded = sorted(set(range(0, steps, every)) | {steps})
    when = set(recorded[1:])
    loss, snapshots = [], []
    diverged_at = np.full(batch, -1, dtype=np.int64)

    def record(step):
        value = np.asarray(model.f(x), dtype=float)
        bad = ~np.isfinite(value) | (value > max_loss) | ~np.isfinite(x).all(axis=-1)
        diverged_at[bad & (diverged_at < 0)] = step
        gone = diverged_at >= 0
        loss.append(np.where(gone, np.nan, value))
        snapshots.append(np.where(gone[..., None], np.nan, x))

    with np.errstate(all="ignore"):
        state = optimizer.init(x)
        record(0)
        for n, idx in enumerate(minibatches(n_samples, batch_size, steps, seed), start=1):
            x, state = optimizer.step(x, model.grad(x, idx), state)
            broken = ~np.isfinite(x).all(axis=-1)
            diverged_at[broken & (diverged_at < 0)] = n
            if n in when or broken.any():
                if n in when:
                    record(n)
                x = np.where((diverged_at >= 0)[..., None], np.nan, x)
    taken = np.array(recorded)
    examples = np.array([examples_done(k, n_samples, batch_size) for k in recorded])
    return TrainingRecord(steps=taken, examples=examples, loss=np.array(loss),
                          params=np.array(snapshots), diverged_at=diverged_at)

