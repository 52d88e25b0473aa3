r"""The command line: grade notebooks, or write the student edition.

``python -m lrlib.grading NOTEBOOK... [--csv FILE]`` prints a table per notebook (points per
task, the reason for each lost point, the total) and optionally writes all rows to a CSV file.
The exit status is 0 when every notebook could be executed and graded (whatever the scores),
1 otherwise.

``python -m lrlib.grading release SOURCE DEST`` writes the student edition of the notebooks in
``SOURCE`` into ``DEST`` (see :func:`lrlib.grading.make_student_edition`).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .autograde import NotebookGrade, grade_notebook, write_csv
from .registry import new_seed
from .release import main as release


def parse(argv=None) -> argparse.Namespace:
    """The command line's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m lrlib.grading",
        description="Execute homework notebooks and grade every task (public and hidden cases).")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="notebooks to grade")
    parser.add_argument("--csv", metavar="FILE", help="also write one row per task to FILE")
    parser.add_argument("--assignment", help="hw1..hw4 (default: from the notebook's metadata "
                                             "or its file name)")
    parser.add_argument("--seed", type=int, help="seed of the random cases (default: fresh; "
                                                 "printed, so a run can be repeated)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a notebook cell may run (default 120)")
    parser.add_argument("--task-timeout", type=float, default=120.0,
                        help="seconds the checks of one task may run (default 120)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="notebooks graded at the same time (one kernel each; default 1)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Grade the notebooks named in ``argv``; print the tables; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["release"]:
        return release(argv[1:])
    args = parse(argv)
    seed = new_seed() if args.seed is None else args.seed

    def grade(path):
        try:
            return grade_notebook(path, assignment=args.assignment, seed=seed,
                                  timeout=args.timeout, task_timeout=args.task_timeout)
        except ValueError as error:  # e.g. no way to tell the assignment: report, go on
            return NotebookGrade(Path(path), "?", (), seed, 0.0, (), str(error))

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        grades = list(pool.map(grade, args.notebooks))
    for grade in grades:
        print(grade.table())
        print()
    if args.csv:
        print(f"wrote {write_csv(grades, args.csv)}")
    return 1 if any(g.problem for g in grades) else 0


if __name__ == "__main__":
    sys.exit(main())
