"""The built book: complete, offline, light, math rendered; notebooks stripped; Binder-ready.

The HTML tests read ``_build/html``. ``make test`` builds it first (``make book``); when the
tests run on their own and no build exists, the ``book`` fixture builds it with the same command.
The browser tests need Debian's Chromium (``make browser`` installs it).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
BIN = Path(sys.executable).parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
PAGE_BUDGET = 3_000_000  # bytes per page, the HTML plus the images it shows
REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)


# ---------------------------------------------------------------------------- the built book

@pytest.fixture(scope="session")
def book() -> Path:
    """The built HTML book; built here (as `make book` does) if there is none."""
    if not (HTML / "index.html").exists():
        shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
        result = subprocess.run(
            [str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"],
            cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, "the book build failed:\n" + result.stdout[-4000:]
    return HTML


@pytest.fixture(scope="session")
def pages(book) -> dict[Path, BeautifulSoup]:
    return {path: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for path in sorted(book.rglob("*.html")) if "_static" not in path.parts}


def toc_files() -> list[str]:
    import yaml

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            yield from walk(entry.get("sections", []))
            yield from walk(entry.get("chapters", []))

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *walk(toc.get("parts", []))]


def test_toc_has_ten_chapters_in_four_parts():
    toc = toc_files()
    chapters = [f for f in toc if f.startswith("chapters/")]
    assert chapters == [f"chapters/{p.stem}" for p in CHAPTERS]
    assert len(chapters) == 10


def test_every_page_of_the_toc_is_built(book):
    missing = [f for f in toc_files() if not (book / f"{f}.html").exists()]
    assert not missing


def test_every_public_lrlib_module_has_an_api_page_in_the_toc():
    package = ROOT / "lrlib"
    modules = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.name for p in package.iterdir()
                if (p / "__init__.py").exists() and not p.name.startswith("_")}
    pages = {f.removeprefix("appendix/api_") for f in toc_files() if f.startswith("appendix/api_")}
    assert not modules - pages, "add appendix/api_<module>.md and list it in _toc.yml"


def book_extension():
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_sphinx", ROOT / "tools" / "book_sphinx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_book_extension_turns_a_markdown_table_into_a_list_table():
    lines = ["Twins:", "", "| lrlib | torch |", "|---|---|", "| ``SGD(lr)`` | ``SGD`` |", "", "End."]
    assert book_extension().markdown_tables_to_rst(lines) == [
        "Twins:", "", ".. list-table::", "   :header-rows: 1", "",
        "   * - lrlib", "     - torch", "   * - ``SGD(lr)``", "     - ``SGD``", "", "", "End."]


def test_book_extension_makes_reference_labels_unique_per_object():
    lines = ["As in [1]_ and [2]_.", "", ".. [1] Kingma and Ba.", ".. [2] Reddi et al."]
    assert book_extension().unique_reference_labels("lrlib.optimizers.Adam", lines) == [
        "As in [#lrlib-optimizers-adam-1]_ and [#lrlib-optimizers-adam-2]_.", "",
        ".. [#lrlib-optimizers-adam-1] Kingma and Ba.", ".. [#lrlib-optimizers-adam-2] Reddi et al."]


def remote_references(soup: BeautifulSoup) -> list[str]:
    """Scripts, stylesheets, fonts, images and frames that a page would fetch from the network."""
    found = []
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"),
                           ("iframe", "src"), ("source", "src"), ("embed", "src")):
        for element in soup.find_all(tag):
            url = element.get(attribute, "")
            if tag == "link" and not set(element.get("rel", [])) & {
                    "stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest"}:
                continue  # a plain hyperlink-style <link> (canonical, next, ...) loads nothing
            if REMOTE.match(url):
                found.append(f"<{tag} {attribute}={url}>")
    for script in soup.find_all("script"):
        for url in re.findall(r"(?:https?:)?//[^\s\"'`]+\.(?:m?js|css)\b", script.string or ""):
            found.append(f"inline script names {url}")
    return found


def test_remote_reference_detector_catches_cdn_scripts():
    soup = BeautifulSoup(
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/a.css">'
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>'
        '<link rel="canonical" href="https://example.org/page.html">', "html.parser")
    assert len(remote_references(soup)) == 3


def test_no_page_loads_a_script_or_stylesheet_from_the_network(pages):
    offenders = {str(p.relative_to(HTML)): refs for p, soup in pages.items()
                 if (refs := remote_references(soup))}
    assert not offenders


def test_no_stylesheet_imports_from_the_network(book):
    offenders = []
    for css in (book / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{css.name}: {u}" for u in re.findall(
            r"(?:@import\s+|url\(\s*)[\"']?((?:https?:)?//[^\"')\s]+)", text)]
    assert not offenders


def test_mathjax_is_served_from_the_book_itself(pages, book):
    chapter = pages[book / "chapters" / "01_learning_rate.html"]
    sources = [s.get("src", "") for s in chapter.find_all("script")]
    assert any(s.endswith("_static/mathjax/tex-chtml.js") for s in sources)
    assert (book / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_no_page_shows_a_live_widget(pages):
    # A widget view needs a kernel (and a widget manager from a CDN): in the static book it is a
    # dead control. Live cells must be tagged remove-output.
    offenders = [str(p.relative_to(HTML)) for p, soup in pages.items()
                 if soup.find("script", type="application/vnd.jupyter.widget-view+json")
                 or soup.find("script", type="application/vnd.jupyter.widget-state+json")]
    assert not offenders


TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\w+Error: |\w+Warning: ")


def test_no_page_shows_a_traceback_or_a_warning(pages):
    # Cell outputs only (the prose may name an error type); a traceback or a warning in an output
    # is a defect a reader would see.
    offenders = {}
    for path, soup in pages.items():
        for output in soup.select(".cell_output"):
            found = TRACEBACK.search(output.get_text())
            if found:
                offenders[str(path.relative_to(HTML))] = found.group(0)
    assert not offenders


def test_traceback_detector_catches_an_error_output():
    soup = BeautifulSoup('<div class="cell_output"><pre>Traceback (most recent call last):\n'
                         'ZeroDivisionError: division by zero</pre></div>', "html.parser")
    assert TRACEBACK.search(soup.select(".cell_output")[0].get_text())


def test_no_thebe_button(pages):
    assert not [p for p, soup in pages.items() if soup.select(".thebe-launch-button")]


def test_binder_button_opens_the_notebook_in_jupyterlab(pages, book):
    chapter = pages[book / "chapters" / "01_learning_rate.html"]
    import yaml

    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    owner_and_name = repository["url"].removeprefix("https://github.com/").strip("/")
    links = [a["href"] for a in chapter.find_all("a", href=True) if "mybinder.org" in a["href"]]
    assert links == [f"https://mybinder.org/v2/gh/{owner_and_name}/{repository['branch']}"
                     "?urlpath=lab/tree/chapters/01_learning_rate.ipynb"]


def page_weight(path: Path, soup: BeautifulSoup) -> int:
    """Bytes of the page and of the images it shows (inline images are inside the HTML)."""
    size = path.stat().st_size
    for img in soup.find_all("img"):
        src = img.get("src", "")
        if src and not src.startswith("data:") and not REMOTE.match(src):
            size += (path.parent / src.split("?")[0]).stat().st_size
    return size


def test_every_page_weighs_less_than_three_megabytes(pages):
    weights = {str(p.relative_to(HTML)): page_weight(p, s) for p, s in pages.items()}
    heaviest = max(weights, key=weights.get)
    (HTML.parent / "page_weights.json").write_text(json.dumps(weights, indent=1, sort_keys=True))
    assert weights[heaviest] < PAGE_BUDGET, f"{heaviest}: {weights[heaviest]} bytes"


def test_api_reference_documents_every_public_name(pages, book):
    import importlib

    missing = {}
    for page in sorted((book / "appendix").glob("api_*.html")):
        module = f"lrlib.{page.stem.removeprefix('api_')}"
        names = getattr(importlib.import_module(module), "__all__", [])
        # autodoc gives every documented object an anchor named after it
        missing_here = [n for n in names if not pages[page].find(id=f"{module}.{n}")]
        if missing_here:
            missing[page.name] = missing_here
    assert not missing


def test_bibliography_lists_every_entry_of_references_bib(pages, book):
    page = pages[book / "appendix" / "bibliography.html"]
    entries = re.findall(r"^@\w+\{", (ROOT / "references.bib").read_text(encoding="utf-8"),
                         re.MULTILINE)
    assert len(page.find_all(role="doc-biblioentry")) == len(entries) >= 20
    assert "adam: a method for stochastic optimization" in page.get_text().lower()


# ---------------------------------------------------------------------------- in a browser

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
    # No network: every request that is not for the loopback server goes to a dead proxy.
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
]


def chromium(*arguments: str, profile: Path) -> str:
    executable = shutil.which("chromium")
    assert executable, "Chromium is not installed: run `make browser` (apt-get install chromium)"
    result = subprocess.run([executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(book, tmp_path_factory):
    """A loopback HTTP server with the book under /book/ and test pages at the root."""
    root = tmp_path_factory.mktemp("site")
    (root / "book").symlink_to(book, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_chapter_renders_its_math_without_network(server, tmp_path):
    _, base = server
    url = f"{base}/book/chapters/01_learning_rate.html"
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", url, profile=tmp_path / "dom")
    soup = BeautifulSoup(dom, "html.parser")
    rendered = len(soup.find_all("mjx-container"))
    for element in soup(["script", "style", "pre", "code", "mjx-container"]):
        element.decompose()
    text = soup.get_text()
    assert rendered >= 10, f"only {rendered} MathJax elements"
    assert not [tex for tex in ("\\(", "\\)", "\\[", "$$") if tex in text]
    screenshot = HTML.parent / "screenshots" / "01_learning_rate.png"
    screenshot.parent.mkdir(exist_ok=True)
    chromium("--virtual-time-budget=10000", "--window-size=1200,1600",
             f"--screenshot={screenshot}", url, profile=tmp_path / "shot")
    assert screenshot.stat().st_size > 20_000


HARNESS = """<!DOCTYPE html><html><body>
<iframe id="page" src="book/chapters/01_learning_rate.html" width="1200" height="900"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById("page").addEventListener("load", function () {
  var page = this.contentWindow, doc = this.contentDocument;
  var box = doc.querySelector(".lrlib-scrubber");
  var slider = box.querySelector("input[type=range]");
  slider.value = "4";
  slider.dispatchEvent(new Event("input", {bubbles: true}));
  var shown = [];
  box.querySelectorAll("img").forEach(function (img, i) {
    if (img.style.display !== "none") { shown.push(i); }
  });
  setTimeout(function () {  // let MathJax fetch what it fetches lazily
    var fetched = page.performance.getEntriesByType("resource").map(function (e) { return e.name; });
    document.getElementById("result").textContent = JSON.stringify({
      frames: box.querySelectorAll("img").length, shown: shown,
      caption: box.querySelector("output").textContent, fetched: fetched});
  }, 3000);
});
</script></body></html>"""


def test_scrubber_moves_through_its_frames_in_the_static_page(server, tmp_path):
    root, base = server
    (root / "harness.html").write_text(HARNESS, encoding="utf-8")
    dom = chromium("--virtual-time-budget=15000", "--dump-dom", f"{base}/harness.html",
                   profile=tmp_path / "harness")
    result = json.loads(BeautifulSoup(dom, "html.parser").find(id="result").get_text())
    assert result["frames"] == 9
    assert result["shown"] == [4]
    assert result["caption"] == "η λ = 1.5"
    # Everything the page fetched came from the book's own server.
    fetched = [u for u in result["fetched"] if not u.startswith("data:")]
    assert fetched and all(u.startswith(base + "/") for u in fetched)


# ---------------------------------------------------------------------------- stripped notebooks

def notebook_problems(path: Path) -> list[str]:
    """What keeps a notebook from being committed: outputs or execution counts."""
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path.name}: cell {index} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path.name}: cell {index} has an execution count")
    return problems


def committed_notebooks() -> list[Path]:
    found = set()
    for folder in ("chapters", "homework", "appendix"):
        found.update((ROOT / folder).rglob("*.ipynb"))
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                            text=True)
    if listed.returncode == 0:
        found.update(ROOT / line for line in listed.stdout.splitlines() if line)
    return sorted(p for p in found if ".ipynb_checkpoints" not in p.parts and p.exists())


def test_notebooks_are_committed_without_outputs():
    notebooks = committed_notebooks()
    assert len(notebooks) >= 11  # ten chapters and the appendix
    problems = [problem for path in notebooks for problem in notebook_problems(path)]
    assert not problems


def test_output_check_fails_on_an_executed_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("1 + 1", execution_count=1, outputs=[
            nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]),
        nbformat.v4.new_code_cell("x = 1", execution_count=2),
    ])
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, path)
    assert notebook_problems(path) == [
        "executed.ipynb: cell 1 has outputs", "executed.ipynb: cell 1 has an execution count",
        "executed.ipynb: cell 2 has an execution count"]


def test_git_strips_notebook_outputs_with_nbstripout():
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.ipynb filter=nbstripout" in attributes


def test_live_widget_cells_are_hidden_in_the_book():
    offenders = []
    for path in CHAPTERS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and ".live()" in cell.source:
                tags = cell.metadata.get("tags", [])
                if "remove-output" not in tags and "remove-cell" not in tags:
                    offenders.append(path.name)
    assert not offenders


# ---------------------------------------------------------------------------- Binder

def test_repo2docker_would_install_python_311_the_requirements_and_lrlib():
    result = subprocess.run([str(BIN / "repo2docker"), "--no-build", "--debug", str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "python=3.11" in output
    assert re.search(r'pip install --no-cache-dir -r "?requirements\.txt"?', output)
    assert re.search(r"pip install --no-cache-dir \.$", output, re.MULTILINE)


def test_binder_configuration_is_at_the_root():
    # A binder/ or .binder/ folder would make repo2docker ignore the root files.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "lrlib"
    assert "lrlib" in project["tool"]["setuptools"]["packages"]


def pinned_requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt must pin exact versions: {line!r}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            for match in re.finditer(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", cell.source,
                                     re.MULTILINE):
                modules.add(match.group(1))
    return modules


def test_requirements_pin_jupyter_book_one_and_what_the_notebooks_import():
    pins = pinned_requirements()
    assert pins["jupyter-book"].startswith("1.")
    distributions = packages_distributions()
    notebooks = [*CHAPTERS, *sorted((ROOT / "appendix").glob("*.ipynb"))]
    missing = set()
    for module in set().union(*(imported_modules(p) for p in notebooks)):
        if module == "lrlib" or module in sys.stdlib_module_names:
            continue  # lrlib is installed by repo2docker from pyproject.toml
        names = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not names & pins.keys():
            missing.add(module)
    assert not missing
