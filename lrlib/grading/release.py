r"""The student edition: solutions become stubs, hidden tests disappear, outputs are cleared.

``python -m lrlib.grading release SOURCE DEST`` (what ``make homework`` runs) converts every
notebook of the folder ``SOURCE`` (or one notebook) into ``DEST``. The markers are nbgrader's,
so nbgrader's ``generate_assignment`` produces an equivalent edition; this module needs
nothing but the standard library.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
from pathlib import Path

from .._validation import fail_value
from .registry import tasks

__all__ = ["student_notebook", "make_student_edition", "SOLUTION_MARKERS", "HIDDEN_MARKERS"]

#: Lines (stripped) that open and close a solution region; the region becomes a stub.
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: Lines (stripped) that open and close hidden tests; the region is removed.
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
ANSWER_STUB = "YOUR ANSWER HERE"
_GRADE_ID = re.compile(r"^(hw\d+)-(task\d+)")


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _stub(cell, assignment: str | None) -> str:
    """The line that replaces a solution: ``raise NotImplementedError("Homework 1, task 1: ...")``."""
    if cell.get("cell_type") == "markdown":
        return ANSWER_STUB
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
    match = _GRADE_ID.match(grade_id)
    message = "write your solution here"
    if match:
        found = [t for t in tasks() if (t.assignment, t.name) == match.groups()]
        message = found[0].stub_message if found else (
            f"Homework {match.group(1)[2:]}, task {match.group(2)[4:]}")
    elif assignment:
        message = f"Homework {assignment[2:]}: write your solution here"
    return f"raise NotImplementedError({message!r})"


def _strip_regions(text: str, stub: str, where: str) -> str:
    out, region, indent = [], None, ""
    for number, line in enumerate(text.splitlines(), start=1):
        marker = line.strip()
        if marker in (SOLUTION_MARKERS[0], HIDDEN_MARKERS[0]):
            if region is not None:
                raise fail_value("notebook", f"balanced markers ({where}, line {number}: "
                                 f"{marker!r} inside {region!r})", marker)
            region = marker
            indent = line[: len(line) - len(line.lstrip())]
            if marker == SOLUTION_MARKERS[0]:
                out.append(indent + stub)
        elif marker in (SOLUTION_MARKERS[1], HIDDEN_MARKERS[1]):
            opening = SOLUTION_MARKERS[0] if marker == SOLUTION_MARKERS[1] else HIDDEN_MARKERS[0]
            if region != opening:
                raise fail_value("notebook", f"balanced markers ({where}, line {number}: "
                                 f"{marker!r} without {opening!r})", marker)
            region = None
        elif region is None:
            out.append(line)
    if region is not None:
        raise fail_value("notebook", f"balanced markers ({where}: {region!r} never closed)", region)
    return "\n".join(out)


def student_notebook(notebook: dict) -> dict:
    r"""The student edition of one notebook (a notebook as a JSON dict; the input is unchanged).

    In every cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` become one
    line at the marker's indentation: ``raise NotImplementedError("Homework N, task K: ...")``
    in a code cell (the message comes from the task registry, via the cell's
    ``nbgrader.grade_id`` ``"hwN-taskK"``), ``YOUR ANSWER HERE`` in a Markdown cell. A cell
    marked ``nbgrader.solution`` without markers is replaced by the stub, as nbgrader does. The lines from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` are removed.
    Outputs and execution counts are cleared; metadata (nbgrader's included) is kept.

    Parameters
    ----------
    notebook : dict
        A notebook in nbformat 4 (``json.load`` of an ``.ipynb`` file, or a NotebookNode).

    Returns
    -------
    dict
        The student edition.

    Raises
    ------
    ValueError
        For unbalanced or nested markers, naming the cell and line.

    Examples
    --------
    >>> cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "hw1-task1"}},
    ...         "source": "def time_based_decay(lr0, decay, n):\n"
    ...                   "    ### BEGIN SOLUTION\n    return lr0\n    ### END SOLUTION\n",
    ...         "outputs": [], "execution_count": 3}
    >>> test = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
    ...         "source": "assert ok\n### BEGIN HIDDEN TESTS\nassert secret\n### END HIDDEN TESTS"}
    >>> student = student_notebook({"cells": [cell, test], "metadata": {}})
    >>> print(student["cells"][0]["source"])
    def time_based_decay(lr0, decay, n):
        raise NotImplementedError("Homework 1, task 1: the seed's time-based decay (time_based_decay)")
    >>> student["cells"][0]["execution_count"], student["cells"][1]["source"]
    (None, 'assert ok')
    """
    assignment = notebook.get("metadata", {}).get("lrlib_grading", {}).get("assignment")
    result = copy.deepcopy(dict(notebook))
    for index, cell in enumerate(result.get("cells", [])):
        text = _source(cell)
        stub = _stub(cell, assignment)
        solution_cell = cell.get("metadata", {}).get("nbgrader", {}).get("solution", False)
        if solution_cell and SOLUTION_MARKERS[0] not in text:
            text = stub
        cell["source"] = _strip_regions(text, stub, f"cell {index}")
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return result


def make_student_edition(source, destination) -> list[Path]:
    r"""Write the student edition of every notebook in ``source`` into ``destination``.

    Parameters
    ----------
    source : str or Path
        A folder (its ``*.ipynb`` files, not recursive) or one notebook.
    destination : str or Path
        The folder to write to (created if needed); files keep their names.

    Returns
    -------
    list of Path
        The notebooks written.

    Raises
    ------
    ValueError
        If ``source`` holds no notebook, if ``destination`` is ``source``, or for unbalanced
        markers; a notebook whose edition still contains a marker is not written.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
    ...         "source": ["x = 1\n", "### BEGIN SOLUTION\n", "x = 2\n", "### END SOLUTION"]}
    >>> _ = (folder / "hw9_demo.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {},
    ...                                            "nbformat": 4, "nbformat_minor": 5}))
    >>> [p.name for p in make_student_edition(folder, folder / "students")]
    ['hw9_demo.ipynb']
    >>> print(json.loads((folder / "students" / "hw9_demo.ipynb").read_text())["cells"][0]["source"])
    x = 1
    raise NotImplementedError('write your solution here')
    """
    source, destination = Path(source), Path(destination)
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else [source]
    notebooks = [p for p in notebooks if p.suffix == ".ipynb" and p.exists()]
    if not notebooks:
        raise fail_value("source", "a notebook or a folder with notebooks", str(source))
    if destination.resolve() == (source if source.is_dir() else source.parent).resolve():
        raise fail_value("destination", "a folder other than the source's", str(destination))
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        edition = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        text = json.dumps(edition, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        for marker in (*SOLUTION_MARKERS, *HIDDEN_MARKERS):
            if marker in text:
                raise fail_value("notebook", f"free of markers after conversion ({path.name})",
                                 marker)
        target = destination / path.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv=None) -> int:
    """``python -m lrlib.grading release SOURCE DEST``: write the student edition."""
    parser = argparse.ArgumentParser(prog="python -m lrlib.grading release",
                                     description="Write the student edition of the homework.")
    parser.add_argument("source", help="folder of source notebooks (with solutions), or one notebook")
    parser.add_argument("destination", help="folder for the student edition")
    args = parser.parse_args(argv)
    for path in make_student_edition(args.source, args.destination):
        print(f"wrote {path}")
    return 0
