"""`pybabel extract` for the web layer's Python code: every Chinese string is a message id.

Message ids are the Chinese texts themselves (web/README.md). Most are marked by `_()`,
but the domain's words live in tables (`vocabulary.py`, the error pages, the audit
findings, report headings) and are translated where they are shown. Rather than wrap
each of them in a marker, the rule is simply: a Chinese string literal in `web/` is
shown to people, so it is extracted and must have its English in the catalogue.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import IO, Any

CHINESE = re.compile(r"[\u4e00-\u9fff]")
API_DOCS = re.compile(r"openapi\w*\.py$")  # the API's own documentation is in English


def extract_chinese(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield (line, funcname, message, comments) for each Chinese string literal.

    Docstrings and other bare string statements are for programmers, not messages.
    """
    if API_DOCS.search(str(getattr(fileobj, "name", ""))):
        return
    tree = ast.parse(fileobj.read())
    bare: set[int] = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # an f-string's parts are never message ids
            bare.update(id(part) for part in node.values)
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) not in bare and CHINESE.search(node.value):
            yield node.lineno, None, node.value, []
