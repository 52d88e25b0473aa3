r"""Homework checks and autograding: the self-check, the grader, the student edition.

The four assignments in ``homework/`` are notebooks whose solutions sit between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers and whose hidden tests sit between
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, with nbgrader's cell metadata.

- :func:`check` is the students' self-check: ``check("hw1", "task1", time_based_decay)``
  prints "passed" or the first failing case, "expected X, got Y", with the seed of its random
  cases.
- :func:`grade_notebook` executes a notebook and scores every task with the public and the
  hidden cases; ``python -m lrlib.grading NOTEBOOK... [--csv FILE]`` does it from the shell.
- :func:`make_student_edition` writes the student edition (stubs that raise
  ``NotImplementedError`` naming the task; hidden tests removed); ``make homework`` runs it.

:func:`tasks` lists the tasks and their points. The book's appendix "For instructors" says how
to release, collect and grade.
"""

from . import hw1, hw2, hw3, hw4  # noqa: F401  (registers the tasks)
from .autograde import NotebookGrade, TaskGrade, grade_notebook, write_csv
from .registry import CaseFailed, Task, check, tasks
from .release import make_student_edition, student_notebook

__all__ = ["check", "tasks", "Task", "CaseFailed", "grade_notebook", "NotebookGrade",
           "TaskGrade", "write_csv", "make_student_edition", "student_notebook"]
