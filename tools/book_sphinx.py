"""Sphinx extension of the book (loaded by ``_config.yml``, ``sphinx: local_extensions``).

Three small jobs, each one so that ``jupyter-book build -W -n`` passes on honest input:

1. **Offline pages.** Jupyter Book 1 always loads sphinx-thebe, which writes
   ``const THEBE_JS_URL = "https://unpkg.com/..."`` and a loader into every page even with thebe
   switched off, and myst-nb copies the ipywidgets state of every executed widget into the page
   head. The book uses neither (thebe is off; live widget cells are tagged ``remove-output``, and
   their state could only be shown by a widget manager from a CDN), so both are dropped.
2. **Docstrings written for ``help()``.** lrlib's numpydoc docstrings number their references
   ``.. [1]`` in every class; on one API page those labels would collide ("Duplicate explicit
   target name"), so each object's labels are made unique, as numpydoc does. A Markdown pipe
   table in a docstring (readable in ``help()``) becomes a ``list-table``. Types stay prose
   ("ndarray, shape (K,)" is not a class name), and napoleon does not mistake a property's
   summary "The batch axes: ..." for "type: description". Methods a class inherits from
   matplotlib and the "Alias for field number" getters of NamedTuples are not listed.
3. **Top-level names.** ``:class:`lrlib.Adam``` and ``:func:`lrlib.run``` resolve to the page
   where the object is documented (``lrlib.optimizers.Adam``, ``lrlib.trajectory.run``).
"""

from __future__ import annotations

import inspect
import re

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


# ---------------------------------------------------------------------------- 1. offline pages

def _unused(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    attributes = getattr(script, "attributes", {}) or {}
    body = attributes.get("body", "") or ""
    return (filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body
            or attributes.get("type") == WIDGET_STATE)


def drop_unused_scripts(app, pagename, templatename, context, doctree):
    """Remove the thebe loader and the widget state from the page's script list."""
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [s for s in scripts if not _unused(s)]


# ---------------------------------------------------------------------------- 2. docstrings

_TABLE_ROW = re.compile(r"^(\s*)\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def markdown_tables_to_rst(lines: list[str]) -> list[str]:
    """Turn each Markdown pipe table (header row, ``|---|`` rule, rows) into a list-table."""
    out, i = [], 0
    while i < len(lines):
        match = _TABLE_ROW.match(lines[i])
        if match and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            indent = match.group(1)
            rows = [_cells(lines[i])]
            i += 2
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                rows.append(_cells(lines[i]))
                i += 1
            out += [f"{indent}.. list-table::", f"{indent}   :header-rows: 1", ""]
            for row in rows:
                out += [f"{indent}   * - {row[0]}"] + [f"{indent}     - {cell}" for cell in row[1:]]
            out.append("")
        else:
            out.append(lines[i])
            i += 1
    return out


def unique_reference_labels(name: str, lines: list[str]) -> list[str]:
    """``[1]_`` / ``.. [1]`` become auto-numbered footnotes with labels unique to ``name``."""
    slug = re.sub(r"\W+", "-", name).strip("-").lower()
    text = [re.sub(r"\[(\d+)\]_", rf"[#{slug}-\1]_", line) for line in lines]
    return [re.sub(r"^(\s*)\.\. \[(\d+)\]", rf"\1.. [#{slug}-\2]", line) for line in text]


def plain_types(lines: list[str]) -> list[str]:
    """``:type: ndarray, shape (K,)`` (napoleon's output for attributes) as plain text.

    Sphinx would cross-reference every word of it ("shape", "K"), and numpydoc types are
    prose, not class names. A field named ``Type`` renders the same but is not parsed.
    """
    return [re.sub(r"^(\s*):type: ", r"\1:Type: ", line) for line in lines]


def fix_docstring(app, what, name, obj, options, lines):
    lines[:] = plain_types(unique_reference_labels(name, markdown_tables_to_rst(list(lines))))


def keep_prose_summary(app, what, name, obj, options, lines):
    """Stop napoleon reading "The batch axes: ..." of a property as "type: description".

    Runs before napoleon. A numpydoc property or attribute summary is prose; napoleon would take
    everything before its first colon for a type. A leading ": " gives it an empty type.
    """
    if what in ("attribute", "property", "data") and lines and ": " in lines[0] \
            and not lines[0].startswith(":"):
        lines[0] = ": " + lines[0]


def skip_generated_members(app, what, name, obj, skip, options):
    """Skip members that lrlib did not write.

    Methods a class got from a third-party library (matplotlib gives every Figure subclass its
    own ``set``), and the field getters of a NamedTuple, whose docstring is Python's "Alias for
    field number 0" (the class signature already lists the fields, and the class docstring's
    Attributes section describes them).
    """
    if what != "class":
        return None
    module = getattr(obj, "__module__", None) or ""
    if inspect.isfunction(obj) and not module.startswith("lrlib"):
        return True
    if (getattr(obj, "__doc__", None) or "").startswith("Alias for field number"):
        return True
    return None


# ---------------------------------------------------------------------------- 3. top-level names

def resolve_lrlib_name(app, env, node, contnode):
    """Resolve ``lrlib.Name`` (or ``lrlib._private.Name``) to where ``Name`` is documented."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("lrlib."):
        return None
    tail = target.rsplit(".", 1)[-1]
    domain = env.get_domain("py")
    candidates = sorted(name for name in domain.objects
                        if name.startswith("lrlib.") and name.rsplit(".", 1)[-1] == tail
                        and not any(part.startswith("_") for part in name.split(".")))
    if len(candidates) != 1:
        return None
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], candidates[0],
                               node, contnode)


def setup(app):
    # After myst-nb (priority 500) has added the page's notebook scripts.
    app.connect("html-page-context", drop_unused_scripts, priority=900)
    app.connect("autodoc-process-docstring", keep_prose_summary, priority=400)  # before napoleon
    app.connect("autodoc-process-docstring", fix_docstring, priority=900)
    app.connect("autodoc-skip-member", skip_generated_members)
    app.connect("missing-reference", resolve_lrlib_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
