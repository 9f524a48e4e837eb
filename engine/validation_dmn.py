"""Decision tables: one decision per file, unique ids, and cells written in Python."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from .errors import Problem
from .scripting import ScriptRejected, compile_expression
from .xmlsafe import element_id, local_name


def collect_decisions(
    known: dict[str, str], problems: list[Problem], name: str, root: etree._Element
) -> None:
    """Record the file's one decision in `known` (id -> file), or the problems with it."""
    namespace = etree.QName(root).namespace
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        line = decisions[1].sourceline if len(decisions) > 1 else root.sourceline
        ident = decisions[1].get("id", "") if len(decisions) > 1 else ""
        problems.append(
            Problem(
                name,
                line,
                ident,
                f"a DMN file must hold exactly one "
                f"decision, found {len(decisions)}; split it into files",
            )
        )
        return
    decision = decisions[0]
    ident = decision.get("id", "")
    if ident in known:
        message = f"decision id already defined in {known[ident]}; rename one"
        problems.append(Problem(name, decision.sourceline, ident, message))
        return
    known[ident] = name
    problems.extend(_dmn_cell_problems(name, decision, namespace or ""))


def _dmn_cell_problems(name: str, decision: etree._Element, ns: str) -> Iterator[Problem]:
    for element in decision.iter(
        f"{{{ns}}}inputExpression", f"{{{ns}}}inputEntry", f"{{{ns}}}outputEntry"
    ):
        text_node = element.find(f"{{{ns}}}text")
        text = (text_node.text or "").strip() if text_node is not None else ""
        if not text or text == "-":
            continue
        message = _dmn_cell_message(text, local_name(element) == "inputEntry")
        if message:
            yield Problem(name, element.sourceline, element_id(element), message)


def _dmn_cell_message(text: str, is_input_entry: bool) -> str | None:
    if text in ("true", "false"):
        return f"'{text}' is FEEL; DMN cells are Python: write {text.capitalize()}"
    if is_input_entry and re.fullmatch(r'\s*"[^"]*"(\s*,\s*"[^"]*")+\s*', text):
        return f"'{text}' is a FEEL list and never matches; write ? in ({text})"
    candidate = text.replace("?", "dmninputexpr")
    try:
        compile_expression(candidate)
        return None
    except ScriptRejected as first:
        if not is_input_entry:
            return f"'{text}': {first}"
    try:
        compile_expression(f"dmninputexpr {candidate}")
        return None
    except ScriptRejected as error:
        return f"'{text}': {error}"
