"""Tests of lrlib.datasets: the shipped file (checksum, contents), the split (stratified, seeded,
reproducible, disjoint), the preprocessing (training statistics only), and argument checks."""

import hashlib
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import lrlib
from lrlib.datasets import DIGITS_SHA256, Digits, _raw_digits, load_digits

DATA = Path(lrlib.__file__).parent / "data"


def test_shipped_file_has_the_checksum_stated_in_the_readme():
    blob = resources.files("lrlib").joinpath("data", "digits.csv.gz").read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    assert digest == DIGITS_SHA256
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"\b[0-9a-f]{64}\b", readme) == [DIGITS_SHA256]


def test_readme_states_provenance_and_licence():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for fact in ("Alpaydin", "Kaynak", "10.24432/C50P49", "CC BY 4.0", "1,797"):
        assert fact in readme


def test_raw_file_holds_1797_images_of_64_pixel_counts_and_ten_balanced_classes():
    pixels, labels = _raw_digits()
    assert pixels.shape == (1797, 64) and pixels.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert pixels.min() == 0 and pixels.max() == 16 and np.all(pixels == np.round(pixels))
    counts = np.bincount(labels)
    assert len(counts) == 10 and counts.min() == 174 and counts.max() == 183


def test_default_split_shapes_and_dtypes():
    data = load_digits()
    assert isinstance(data, Digits)
    assert data.x_train.shape == (1347, 64) and data.x_test.shape == (450, 64)
    assert data.y_train.shape == (1347,) and data.y_test.shape == (450,)
    assert data.x_train.dtype == np.float64 and data.x_test.dtype == np.float64
    assert data.y_train.dtype == np.int64 and data.y_test.dtype == np.int64
    assert (data.n_train, data.n_test, data.n_features, data.n_classes) == (1347, 450, 64, 10)
    assert data.feature_names[:2] == ("pixel_0_0", "pixel_0_1") and len(data.feature_names) == 64
    assert data.target_names == tuple("0123456789") and data.image_shape == (8, 8)
    assert "CC BY 4.0" in data.description and "10.24432/C50P49" in data.description


def test_arrays_are_read_only():
    data = load_digits()
    for array in (data.x_train, data.y_train, data.x_test, data.y_test, data.mean, data.scale):
        with pytest.raises(ValueError):
            array[0] = 1


def test_split_is_reproducible_for_a_seed_and_changes_with_it():
    first, again, other = load_digits(seed=3), load_digits(seed=3), load_digits(seed=4)
    np.testing.assert_array_equal(first.x_test, again.x_test)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert not np.array_equal(first.y_test, other.y_test)


def test_split_is_stratified_disjoint_and_complete():
    pixels, labels = _raw_digits()
    data = load_digits(test_fraction=0.3, seed=7)
    expected = np.array([round(0.3 * n) for n in np.bincount(labels)])
    np.testing.assert_array_equal(np.bincount(data.y_test), expected)
    # Undo the preprocessing and find every image once, in one of the two sets.
    rows = np.concatenate([data.pixels(data.x_train), data.pixels(data.x_test)])
    found = np.concatenate([data.y_train, data.y_test])
    keys = lambda a, y: sorted(map(bytes, np.column_stack([a, y]).astype(np.int8)))
    assert keys(rows, found) == keys(pixels, labels)


def test_extreme_fractions_keep_every_class_in_both_sets():
    for fraction in (1e-6, 1 - 1e-6):
        data = load_digits(test_fraction=fraction)
        assert set(data.y_train) == set(data.y_test) == set(range(10))


def test_standardisation_uses_training_statistics_only():
    pixels, labels = _raw_digits()
    data = load_digits(seed=0)
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0.0, atol=1e-12)
    spread = data.x_train.std(axis=0)
    constant = data.scale == 1.0
    np.testing.assert_allclose(spread[~constant], 1.0, rtol=1e-12)
    assert constant.sum() == 3 and np.all(spread[constant] == 0)
    # The test set is transformed with the training mean and scale, not its own.
    np.testing.assert_allclose(data.pixels(data.x_test) / 16, data.x_test * data.scale + data.mean,
                               atol=1e-12)
    assert not np.allclose(data.x_test.mean(axis=0), 0.0, atol=1e-3)


def test_without_standardisation_the_pixels_are_scaled_to_the_unit_interval():
    data = load_digits(standardize=False)
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    np.testing.assert_array_equal(data.x_train * 16, np.round(data.x_train * 16))
    assert np.all(data.mean == 0) and np.all(data.scale == 1)
    # The split does not depend on the preprocessing.
    np.testing.assert_array_equal(data.y_test, load_digits().y_test)


def test_pixels_round_trip_to_integer_counts():
    data = load_digits()
    counts = data.pixels(data.x_test)
    assert counts.min() == 0 and counts.max() == 16
    np.testing.assert_array_equal(counts, np.round(counts))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"test_fraction": 0.0}, ValueError, "test_fraction must be a finite number in (0, 1); got test_fraction=0.0"),
    ({"test_fraction": 1.0}, ValueError, "test_fraction must be a finite number in (0, 1)"),
    ({"test_fraction": float("nan")}, ValueError, "test_fraction must be a finite number"),
    ({"test_fraction": "0.25"}, TypeError, "test_fraction must be a real number"),
    ({"test_fraction": True}, TypeError, "test_fraction must be a real number"),
    ({"seed": -1}, ValueError, "seed must be an integer >= 0; got seed=-1"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"standardize": 1}, TypeError, "standardize must be True or False"),
])
def test_bad_arguments_raise_with_the_package_message(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        load_digits(**kwargs)
