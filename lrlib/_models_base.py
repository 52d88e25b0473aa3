"""What the models of :mod:`lrlib.models` share: data checks, the cross-entropy, the base class.

Nothing here is meant to be imported from this module directly; the public names live in
:mod:`lrlib.models`.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int, check_real, fail_type, fail_value
from .surfaces import Surface


def frozen(array) -> np.ndarray:
    """A copy of ``array`` that nobody can change in place."""
    array = np.array(array)
    array.flags.writeable = False
    return array


def check_data(x, y, n_classes):
    """Validate the training data; return (float64 x, int64 y, number of classes)."""
    requirement = "a 2-D array of finite numbers with at least one row"
    if isinstance(x, (str, bytes)) or x is None:
        raise fail_type("x", requirement, x)
    try:
        inputs = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise fail_type("x", requirement, x) from None
    if inputs.ndim != 2 or inputs.shape[0] == 0 or inputs.shape[1] == 0 \
            or not np.all(np.isfinite(inputs)):
        raise fail_value("x", requirement, x)
    labels = np.asarray(y)
    requirement = f"a 1-D array of {inputs.shape[0]} integer labels >= 0 (one per row of x)"
    if labels.dtype.kind not in "iu" or labels.shape != (inputs.shape[0],) or labels.min() < 0:
        raise fail_value("y", requirement, y)
    labels = labels.astype(np.int64)
    if n_classes is None:
        classes = max(int(labels.max()) + 1, 2)
    else:
        classes = check_int("n_classes", n_classes, min_value=max(int(labels.max()) + 1, 2))
    return inputs, labels, classes


def cross_entropy(logits, labels, want_grad):
    """Mean cross-entropy of logits (m, K, C) against labels (m,): loss (K,), dloss/dlogits."""
    rows = np.arange(labels.size)
    # Stable log-softmax: shift by the largest logit, so exp never overflows.
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    loss = (log_norm - shifted[rows, :, labels]).mean(axis=0)
    if not want_grad:
        return loss, None
    delta = np.exp(shifted - log_norm[..., None])
    delta[rows, :, labels] -= 1.0
    return loss, delta / labels.size


def times(inputs, weights):
    """``inputs @ weights[k]`` for every k in one matrix product: (m, p) x (K, p, q) -> (m, K, q)."""
    count, p, q = weights.shape
    stacked = weights.transpose(1, 0, 2).reshape(p, count * q)
    return (inputs @ stacked).reshape(inputs.shape[0], count, q)


def times_transposed(inputs, delta):
    """``inputs.T @ delta[:, k]`` for every k in one product: (m, p), (m, K, q) -> (K, p, q)."""
    m, count, q = delta.shape
    product = inputs.T @ delta.reshape(m, count * q)
    return product.reshape(inputs.shape[1], count, q).transpose(1, 0, 2)


class Classifier(Surface):
    """What the two models share: data, minibatches, the loss interface, predictions.

    A subclass defines ``dim``, ``unpack``, ``_forward(flat, inputs)`` (whose last output is
    the logits, shape ``(m, K, C)`` for K parameter vectors) and
    ``_loss_and_grad(flat, inputs, labels, want_grad)``.
    """

    def _set_data(self, x, y, l2, n_classes):
        inputs, labels, classes = check_data(x, y, n_classes)
        object.__setattr__(self, "x", frozen(inputs))
        object.__setattr__(self, "y", frozen(labels))
        object.__setattr__(self, "n_classes", classes)
        object.__setattr__(self, "l2", check_real("l2", l2, min_value=0.0))

    def __repr__(self) -> str:
        extra = f", hidden={self.hidden}, seed={self.seed}" if hasattr(self, "hidden") else ""
        return (f"{type(self).__name__}(n_samples={self.n_samples}, n_features={self.n_features}, "
                f"n_classes={self.n_classes}{extra}, l2={self.l2:g})")

    @property
    def n_samples(self) -> int:
        """Number of training examples (the terms of the finite sum)."""
        return self.x.shape[0]

    @property
    def n_features(self) -> int:
        """Number of inputs per example."""
        return self.x.shape[1]

    def _batch(self, idx):
        if idx is None:
            return self.x, self.y
        index = np.asarray(idx)
        if (index.ndim != 1 or index.size == 0 or index.dtype.kind not in "iu"
                or index.min() < 0 or index.max() >= self.n_samples):
            raise fail_value("idx", f"a non-empty 1-D array of integers in [0, {self.n_samples})",
                             idx)
        return self.x[index], self.y[index]

    def _inputs(self, x):
        inputs = np.asarray(x, dtype=float)
        if inputs.ndim != 2 or inputs.shape[1] != self.n_features:
            raise fail_value("x", f"a 2-D array with {self.n_features} columns", x)
        return inputs

    def _flat(self, params):
        theta = self.points(params)
        return theta, theta.reshape(-1, self.dim)

    def _evaluate(self, params, idx, want_grad):
        inputs, labels = self._batch(idx)
        theta, flat = self._flat(params)
        batch = theta.shape[:-1]
        loss, grad = self._loss_and_grad(flat, inputs, labels, want_grad)
        loss = loss.reshape(batch)[()]
        return loss, (None if grad is None else grad.reshape(theta.shape))

    def f(self, params, idx=None):
        """Mean cross-entropy (plus the L2 term) over the examples ``idx`` (all when None).

        Shape ``params.shape[:-1]``.
        """
        return self._evaluate(params, idx, want_grad=False)[0]

    def grad(self, params, idx=None):
        """Gradient of :meth:`f` over the examples ``idx`` (all when None), shape ``params.shape``."""
        return self._evaluate(params, idx, want_grad=True)[1]

    def value_and_grad(self, params, idx=None):
        """``(f(params, idx), grad(params, idx))`` from one forward and one backward pass."""
        return self._evaluate(params, idx, want_grad=True)

    def logits(self, params, x):
        """The class scores of the rows of ``x``, shape ``params.shape[:-1] + (len(x), n_classes)``."""
        inputs = self._inputs(x)
        theta, flat = self._flat(params)
        scores = self._forward(flat, inputs)[-1]  # (m, K, C)
        return np.moveaxis(scores, 0, 1).reshape(theta.shape[:-1] + scores.shape[::2])

    def predict(self, params, x):
        """The predicted class (the largest logit) of each row of ``x``: int64, shape ``(..., len(x))``."""
        return np.argmax(self.logits(params, x), axis=-1)

    def accuracy(self, params, x, y):
        """The share of rows of ``x`` whose predicted class is ``y``: shape ``params.shape[:-1]``."""
        labels = np.asarray(y)
        inputs = self._inputs(x)
        if labels.shape != (inputs.shape[0],):
            raise fail_value("y", f"a 1-D array of {inputs.shape[0]} labels (one per row of x)", y)
        return (self.predict(params, inputs) == labels).mean(axis=-1)[()]


def examples_done(updates: int, n_samples: int, batch_size: int) -> int:
    """Examples processed by ``updates`` updates, counting the smaller last minibatch of an epoch."""
    per_epoch = -(-n_samples // batch_size)
    epochs, rest = divmod(updates, per_epoch)
    return epochs * n_samples + min(rest * batch_size, n_samples)
