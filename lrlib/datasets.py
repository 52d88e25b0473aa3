r"""The real dataset of the practice chapter, shipped with the package: :func:`load_digits`.

The UCI "Optical Recognition of Handwritten Digits" data (the 1,797 images of its test set):
8 x 8 images of handwritten digits, each pixel a count from 0 to 16, ten classes. The file
``lrlib/data/digits.csv.gz`` is read from the installed package (nothing is downloaded); its
provenance, licence (CC BY 4.0) and checksum are in ``lrlib/data/README.md``.
"""

from __future__ import annotations

import functools
import gzip
import io
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from ._validation import check_bool, check_int, check_real

__all__ = ["Digits", "load_digits", "DIGITS_SHA256"]

#: The sha256 of ``lrlib/data/digits.csv.gz``, as stated in ``lrlib/data/README.md``.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"

_CITATION = (
    "E. Alpaydin and C. Kaynak, Optical Recognition of Handwritten Digits, UCI Machine "
    "Learning Repository, 1998, doi:10.24432/C50P49 (CC BY 4.0); the 1,797 images of its "
    "test set, as shipped with scikit-learn."
)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """The pixels (1797, 64) as float64 counts 0..16 and the labels (1797,) as int64."""
    blob = resources.files("lrlib").joinpath("data", "digits.csv.gz").read_bytes()
    with gzip.open(io.BytesIO(blob), "rt", encoding="ascii") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    return _read_only(table[:, :-1].astype(np.float64)), _read_only(table[:, -1].copy())


@dataclass(frozen=True, eq=False)
class Digits:
    r"""The handwritten digits, split into a training and a test set.

    Made by :func:`load_digits`. Every array is read-only.

    Attributes
    ----------
    x_train, x_test : ndarray of float64, shape (n_train, 64), (n_test, 64)
        One image per row, the 8 x 8 pixels in row-major order, preprocessed as described
        in :func:`load_digits`.
    y_train, y_test : ndarray of int64, shape (n_train,), (n_test,)
        The digit shown, 0 to 9.
    mean, scale : ndarray of float64, shape (64,)
        The preprocessing: ``x = (pixels / 16 - mean) / scale``, with training-set statistics
        (``mean = 0`` and ``scale = 1`` without standardisation).
    feature_names : tuple of str
        ``"pixel_r_c"``, row ``r`` and column ``c`` of the image, for the 64 columns.
    target_names : tuple of str
        ``"0"`` to ``"9"``: label ``k`` is the digit ``k``.
    image_shape : tuple of int
        ``(8, 8)``: ``x_train[i].reshape(image_shape)`` is an image.
    description : str
        Where the data come from, and their licence.

    Examples
    --------
    >>> data = load_digits()
    >>> data
    Digits(n_train=1347, n_test=450, n_features=64, n_classes=10)
    """

    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    scale: np.ndarray = field(repr=False)
    feature_names: tuple = field(repr=False)
    target_names: tuple = field(repr=False)
    image_shape: tuple = (8, 8)
    description: str = field(default=_CITATION, repr=False)

    def __repr__(self) -> str:
        return (f"Digits(n_train={self.n_train}, n_test={self.n_test}, "
                f"n_features={self.n_features}, n_classes={self.n_classes})")

    @property
    def n_train(self) -> int:
        """Number of training images."""
        return self.x_train.shape[0]

    @property
    def n_test(self) -> int:
        """Number of test images."""
        return self.x_test.shape[0]

    @property
    def n_features(self) -> int:
        """Number of pixels per image, 64."""
        return self.x_train.shape[1]

    @property
    def n_classes(self) -> int:
        """Number of classes, 10."""
        return len(self.target_names)

    def pixels(self, x) -> np.ndarray:
        """Undo the preprocessing: the counts 0..16 of preprocessed rows ``x``.

        >>> data = load_digits()
        >>> data.pixels(data.x_train[:2]).reshape(2, 8, 8)[0, 0]
        array([ 0.,  0.,  5., 13.,  9.,  1.,  0.,  0.])
        """
        return np.round((np.asarray(x, dtype=float) * self.scale + self.mean) * 16.0, 10) + 0.0


def _stratified_split(labels: np.ndarray, test_fraction: float, seed: int):
    """Indices (train, test), each sorted: per class, a seeded share of the images is held out."""
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = min(max(round(test_fraction * members.size), 1), members.size - 1)
        test.append(rng.permutation(members)[:count])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(labels.size), test)
    return train, test


def load_digits(test_fraction=0.25, seed=0, standardize=True) -> Digits:
    r"""Load the UCI handwritten digits, split into training and test sets.

    Parameters
    ----------
    test_fraction : float, default 0.25
        Share of each class held out for the test set, in ``(0, 1)``.
    seed : int, default 0
        Seed of ``np.random.default_rng`` that chooses the held-out images; the same seed gives
        the same split on every machine.
    standardize : bool, default True
        Standardise every pixel with the training set's mean and standard deviation (else the
        pixels are only scaled to ``[0, 1]``).

    Returns
    -------
    Digits
        ``x_train, y_train, x_test, y_test`` (float64 features, int64 labels) and the
        descriptions.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, named with its value.

    Notes
    -----
    The split is stratified: for each digit :math:`k` with :math:`n_k` images, a seeded
    random :math:`\mathrm{round}(f n_k)` of them (at least 1, at most :math:`n_k - 1`) go to
    the test set; both sets list their images in the file's order. For ``f = 0.25`` that is
    1,347 training and 450 test images.

    The preprocessing divides the pixel counts by 16, then (``standardize=True``) subtracts
    the training mean :math:`\mu_j` and divides by the training standard deviation
    :math:`s_j` of each pixel :math:`j`: :math:`x_{ij} = (c_{ij}/16 - \mu_j)/s_j`. Pixels that
    are constant in the training set (:math:`s_j = 0`, three of the corner pixels) are
    divided by 1 instead. The test set is transformed with the *training* statistics, so
    nothing about the test images leaks into training.

    References
    ----------
    .. [1] E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
       Learning Repository, 1998. doi:10.24432/C50P49. Licence CC BY 4.0.

    Examples
    --------
    >>> data = load_digits(seed=0)
    >>> data.x_train.shape, data.x_train.dtype, data.y_train.dtype
    ((1347, 64), dtype('float64'), dtype('int64'))
    >>> np.bincount(data.y_test)
    array([44, 46, 44, 46, 45, 46, 45, 45, 44, 45])
    >>> bool(np.allclose(data.x_train.mean(axis=0), 0.0))
    True
    """
    test_fraction = check_real("test_fraction", test_fraction, min_value=0.0, max_value=1.0,
                               min_inclusive=False, max_inclusive=False)
    seed = check_int("seed", seed, min_value=0)
    standardize = check_bool("standardize", standardize)
    counts, labels = _raw_digits()
    train, test = _stratified_split(labels, test_fraction, seed)
    pixels = counts / 16.0
    if standardize:
        mean = pixels[train].mean(axis=0)
        spread = pixels[train].std(axis=0)
        scale = np.where(spread > 0, spread, 1.0)
    else:
        mean, scale = np.zeros(pixels.shape[1]), np.ones(pixels.shape[1])
    features = (pixels - mean) / scale
    rows, cols = 8, 8
    return Digits(
        x_train=_read_only(features[train]), y_train=_read_only(labels[train].copy()),
        x_test=_read_only(features[test]), y_test=_read_only(labels[test].copy()),
        mean=_read_only(mean), scale=_read_only(scale),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)),
        target_names=tuple(str(k) for k in range(10)),
    )
