"""The homework tooling, end to end: the student edition, the self-check and the autograder.

The expensive part (executing notebooks) runs once per module: one command-line grading run
(``python -m lrlib.grading ... --csv``) over the four solution notebooks, the untouched
student edition and one copy of each assignment with one deliberately wrong answer.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lrlib.grading import check, grade_notebook, make_student_edition, student_notebook, tasks
from lrlib.grading.release import HIDDEN_MARKERS, SOLUTION_MARKERS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "homework").glob("hw*.ipynb"))
ASSIGNMENTS = {path.name: json.loads(path.read_text())["metadata"]["lrlib_grading"]["assignment"]
               for path in SOURCES}

# One wrong answer per assignment: (file, task, the solution line, its wrong replacement).
WRONG = [
    ("hw1_schedules.ipynb", "task3", "drops = (1 + n) // every", "drops = n // every"),
    ("hw2_adaptive.ipynb", "task3", "np.sqrt(square_avg) + eps", "np.sqrt(square_avg + eps)"),
    ("hw3_adam.ipynb", "task2", "return (1 - beta1) / math.sqrt(1 - beta2)",
     "return 1 / math.sqrt(1 - beta2)"),
    ("hw4_tuning.ipynb", "task1", "return correct / len(labels)", "return correct / 100"),
]


def cell_sources(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def marked_lines(source: str) -> list[str]:
    """The lines strictly inside solution and hidden-test regions."""
    found, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (SOLUTION_MARKERS[0], HIDDEN_MARKERS[0]):
            inside = True
        elif marker in (SOLUTION_MARKERS[1], HIDDEN_MARKERS[1]):
            inside = False
        elif inside and marker and not marker.startswith("#"):
            found.append(marker)
    return found


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("students")
    subprocess.run([sys.executable, "-m", "lrlib.grading", "release", str(ROOT / "homework"),
                    str(folder)], check=True, capture_output=True, text=True)
    return folder


@pytest.fixture(scope="module")
def wrong_copies(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wrong")
    copies = {}
    for name, task, right, wrong in WRONG:
        notebook = json.loads((ROOT / "homework" / name).read_text(encoding="utf-8"))
        edited = 0
        for cell in notebook["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == f"{ASSIGNMENTS[name]}-{task}":
                text = "".join(cell["source"])
                edited += text.count(right)
                cell["source"] = text.replace(right, wrong)
        assert edited == 1, (name, right)
        target = folder / name.replace(".ipynb", "_wrong.ipynb")
        target.write_text(json.dumps(notebook), encoding="utf-8")
        copies[name] = target
    return copies


@pytest.fixture(scope="module")
def graded(student_edition, wrong_copies, tmp_path_factory):
    """One run of the command line over every notebook: (rows of the CSV, printed report)."""
    table = tmp_path_factory.mktemp("grades") / "grades.csv"
    notebooks = [*SOURCES, *sorted(student_edition.glob("*.ipynb")), *wrong_copies.values()]
    result = subprocess.run([sys.executable, "-m", "lrlib.grading", *map(str, notebooks),
                             "--csv", str(table), "--jobs", "3", "--timeout", "120"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows, result.stdout


def rows_of(rows, path: Path) -> dict[str, dict]:
    return {row["task"]: row for row in rows if Path(row["notebook"]) == path}


# ------------------------------------------------------------------------ the student edition

def test_there_are_four_assignments_each_worth_ten_points():
    assert sorted(ASSIGNMENTS.values()) == ["hw1", "hw2", "hw3", "hw4"]
    for assignment in ASSIGNMENTS.values():
        assert sum(t.points for t in tasks(assignment)) == 10


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_edition_contains_no_solution_text_and_no_hidden_test(source, student_edition):
    student = student_edition / source.name
    student_text = student.read_text(encoding="utf-8")
    for marker in (*SOLUTION_MARKERS, *HIDDEN_MARKERS, "BEGIN SOLUTION", "HIDDEN TESTS"):
        assert marker not in student_text
    student_lines = {line.strip() for text in cell_sources(student) for line in text.splitlines()}
    secret = [line for text in cell_sources(source) for line in marked_lines(text)]
    assert secret, "the source notebook has solutions"
    assert not [line for line in secret if line in student_lines]
    assert not any("hidden=True" in text for text in cell_sources(student))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_task_has_a_solution_a_stub_naming_it_and_a_graded_test_cell(source,
                                                                             student_edition):
    assignment = ASSIGNMENTS[source.name]
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    student = "\n".join(cell_sources(student_edition / source.name))
    for task in tasks(assignment):
        solution = [c for c in cells if c["metadata"]["nbgrader"]["grade_id"] ==
                    f"{assignment}-{task.name}"]
        test = [c for c in cells if c["metadata"]["nbgrader"]["grade_id"] ==
                f"{assignment}-{task.name}-tests"]
        assert len(solution) == len(test) == 1
        assert solution[0]["metadata"]["nbgrader"]["solution"] is True
        assert test[0]["metadata"]["nbgrader"]["grade"] is True
        assert test[0]["metadata"]["nbgrader"]["points"] == task.points
        assert f"def {task.function}(" in "".join(solution[0]["source"])
        assert f"raise NotImplementedError({task.stub_message!r})" in student
        homework = int(assignment[2:])
        assert task.stub_message.startswith(f"Homework {homework}, task {task.number}: ")


def test_unbalanced_markers_are_refused():
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "### BEGIN SOLUTION\nx = 1\n"}
    with pytest.raises(ValueError, match="never closed"):
        student_notebook({"cells": [cell], "metadata": {}})
    cell["source"] = "x = 1\n### END HIDDEN TESTS\n"
    with pytest.raises(ValueError, match="without"):
        student_notebook({"cells": [cell], "metadata": {}})


def test_release_refuses_to_overwrite_the_sources(tmp_path):
    with pytest.raises(ValueError, match="destination"):
        make_student_edition(ROOT / "homework", ROOT / "homework")


# ------------------------------------------------------------------------------ the grader

@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_solution_notebook_scores_full_marks(graded, source):
    rows, _ = graded
    found = rows_of(rows, source)
    assert [row["status"] for name, row in found.items() if name != "total"] == [
        "passed"] * len(tasks(ASSIGNMENTS[source.name]))
    assert found["total"]["points"] == found["total"]["max_points"] == "10"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_untouched_student_edition_scores_zero_without_crashing(graded, student_edition, source):
    rows, _ = graded
    found = rows_of(rows, student_edition / source.name)
    assert found["total"]["points"] == "0" and found["total"]["status"] == ""
    for name, row in found.items():
        if name != "total":
            assert row["status"] == "not implemented"
            assert re.match(r"NotImplementedError: Homework \d, task \d: ", row["message"])


@pytest.mark.parametrize("name, task", [(name, task) for name, task, _, _ in WRONG])
def test_a_wrong_answer_loses_exactly_that_tasks_points(graded, wrong_copies, name, task):
    rows, _ = graded
    found = rows_of(rows, wrong_copies[name])
    lost = {t: row for t, row in found.items() if t != "total" and row["status"] != "passed"}
    assert list(lost) == [task]
    assert lost[task]["status"] == "failed" and lost[task]["points"] == "0"
    assert "expected" in lost[task]["message"] and "got" in lost[task]["message"]
    points = {t.name: t.points for t in tasks(ASSIGNMENTS[name])}
    assert int(found["total"]["points"]) == 10 - points[task]


def test_the_report_prints_every_task_and_a_total_per_notebook(graded):
    _, report = graded
    assert report.count(" total ") >= 12
    assert "hw1, 10 / 10 points" in report and "hw1, 0 / 10 points" in report
    assert re.search(r"task1\s+time_based_decay\s+2 / 2\s+passed", report)


def test_csv_has_one_row_per_task_and_a_total_per_notebook(graded):
    rows, _ = graded
    notebooks = {row["notebook"] for row in rows}
    assert len(notebooks) == 12
    expected = sum(len(tasks(ASSIGNMENTS[Path(n).name.replace("_wrong", "")])) + 1
                   for n in notebooks)
    assert len(rows) == expected
    assert set(rows[0]) == {"notebook", "assignment", "task", "function", "points",
                            "max_points", "status", "message", "seed", "cases", "note"}


def test_a_broken_notebook_is_graded_task_by_task(tmp_path):
    """A syntax error, a cell that never ends, a function that never returns and a notebook
    that patches the checks: each costs only its own task. Calling lrlib is noted."""
    cells = [
        "def time_based_decay(lr0, decay, n):\n    rate = lr0\n    for k in range(n):\n"
        "        rate = rate / (1 + decay * k)\n    return rate",
        "def inverse_time_decay(lr0, decay, n)\n    return lr0",          # syntax error
        "while True:\n    pass",                                            # interrupted
        "def inverse_time_decay(lr0, decay, n):\n    while True:\n        pass",
        "import lrlib.grading.registry\nlrlib.grading.registry.same_number = lambda *a, **k: None\n"
        "def step_decay(lr0, drop, every, n):\n    return 0.0",              # tampering
        "import lrlib\ndef exponential_decay(lr0, decay, n):\n"
        "    return lrlib.ExponentialDecay(lr0, decay)(n)",                   # not from scratch
    ]
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": s} for s in cells],
                "metadata": {"lrlib_grading": {"assignment": "hw1"}}, "nbformat": 4,
                "nbformat_minor": 5}
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(notebook))
    grade = grade_notebook(path, seed=1, timeout=4, task_timeout=4)
    status = {t.task: t.status for t in grade.tasks}
    assert status == {"task1": "passed", "task2": "timeout", "task3": "failed",
                      "task4": "missing", "task5": "passed", "task6": "missing"}
    assert grade.total == 3 and not grade.problem
    assert [t.note for t in grade.tasks if t.note] == ["the function's source mentions lrlib"]
    assert grade.tasks[4].note
    assert len(grade.cell_errors) == 2  # the syntax error and the interrupted loop


def test_a_notebook_that_kills_its_kernel_or_is_not_json_gets_zero_and_a_reason(tmp_path):
    dead = tmp_path / "hw2_dead.ipynb"
    dead.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                           "execution_count": None,
                                           "source": "import os\nos._exit(1)"}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    garbage = tmp_path / "hw3_garbage.ipynb"
    garbage.write_text("{not json")
    for path in (dead, garbage):
        grade = grade_notebook(path, seed=2, timeout=20)
        assert grade.total == 0 and grade.problem
        assert {t.status for t in grade.tasks} == {"not graded"}
    assert grade_notebook(garbage, seed=2).assignment == "hw3"


# --------------------------------------------------------------------------- the self-check

def spy(calls):
    def time_based_decay(lr0, decay, n):
        calls.append((lr0, decay, n))
        rate = lr0
        for k in range(n):
            rate = rate / (1 + decay * k)
        return rate
    return time_based_decay


def test_cases_differ_between_runs_and_repeat_with_the_seed(capsys):
    first, second, again = [], [], []
    assert check("hw1", "task1", spy(first), hidden=True)
    assert check("hw1", "task1", spy(second), hidden=True)
    seed = int(re.search(r"seed (\d+)", capsys.readouterr().out.splitlines()[0]).group(1))
    assert check("hw1", "task1", spy(again), hidden=True, seed=seed)
    assert set(first) != set(second)
    assert again == first


def test_a_hard_coded_answer_fails_the_hidden_cases(capsys):
    seen = []
    assert check("hw1", "task1", spy(seen), seed=11)
    answers = {case: spy([])(*case) for case in seen}

    def looked_up(lr0, decay, n):
        return answers.get((lr0, decay, n), 0.0)

    assert check("hw1", "task1", looked_up, seed=11)
    assert not check("hw1", "task1", looked_up, hidden=True, seed=12)
    out = capsys.readouterr().out
    assert "expected" in out and "got 0" in out and "seed 12" in out


def test_a_failure_names_the_case_expected_and_got_without_reference_code(capsys):
    assert not check("hw1", "task3", lambda lr0, drop, every, n: lr0 * drop ** (n // every),
                     seed=5)
    out = capsys.readouterr().out
    assert "case lr0=0.1, drop=0.5, every=30, n=29: expected 0.05, got 0.1" in out
    assert "StepDecay" not in out and "def " not in out and "Traceback" not in out


def test_a_stub_is_reported_as_not_implemented(capsys):
    task = tasks("hw2")[0]

    def momentum_step(params, grads, velocity, lr, beta):
        raise NotImplementedError(task.stub_message)

    assert not check("hw2", "task1", momentum_step, seed=3)
    assert "not implemented yet (NotImplementedError: Homework 2, task 1: " in capsys.readouterr().out


def test_check_validates_its_arguments():
    with pytest.raises(ValueError, match="task must be one of 'task1'"):
        check("hw1", "task9", abs)
    with pytest.raises(ValueError, match="assignment must be one of"):
        check("hw7", "task1", abs)
    with pytest.raises(TypeError, match="function must be the function you wrote"):
        check("hw1", "task1", 0.1)


def test_the_command_line_reports_a_notebook_it_cannot_place_and_exits_with_1(tmp_path, capsys):
    from lrlib.grading.__main__ import main

    mystery = tmp_path / "mystery.ipynb"
    mystery.write_text("{}")
    table = tmp_path / "grades.csv"
    assert main([str(mystery), "--csv", str(table)]) == 1
    assert "could not be graded: assignment must be given" in capsys.readouterr().out
    rows = list(csv.DictReader(table.open(newline="")))
    assert [(r["task"], r["status"]) for r in rows] == [("total", "not graded")]
