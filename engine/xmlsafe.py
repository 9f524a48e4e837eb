"""Parse untrusted XML: no DTDs, no entities, no network, line numbers kept."""

from __future__ import annotations

import re

from lxml import etree

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_HTML = re.compile(rb"<!DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def line_of(content: bytes, offset: int) -> int:
    """Return the 1-based line number of a byte offset."""
    return content.count(b"\n", 0, offset) + 1


def parse_xml(content: bytes, file: str) -> tuple[etree._Element | None, list[Problem]]:
    """Parse a file's bytes into an element tree, or return the problems that prevent it."""
    if not content.strip():
        return None, [
            Problem(file, 1, "", "the file is empty; export the diagram again", code="empty_file")
        ]
    if _HTML.search(content[:2048]):
        return None, [
            Problem(
                file,
                1,
                "",
                "this is an HTML page, not a BPMN/DMN diagram; export the "
                "diagram from the modeler as XML (File > Export) and deploy that file",
                code="not_a_diagram",
            )
        ]
    doctype = _DOCTYPE.search(content)
    if doctype:
        return None, [
            Problem(
                file,
                line_of(content, doctype.start()),
                "",
                "DOCTYPE declarations (and the entities they define) are not allowed in "
                "diagrams; remove the <!DOCTYPE ...> block",
                code="doctype_refused",
            )
        ]
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        return None, [
            Problem(file, line, "", f"not well-formed XML: {error.msg}", code="not_well_formed")
        ]
    return root, []


def ancestor(element: etree._Element, levels: int = 1) -> etree._Element:
    """The element `levels` above; for elements found by a path that matched those levels."""
    for _ in range(levels):
        parent = element.getparent()
        if parent is None:
            raise ValueError(f"{element.tag!r} has fewer than {levels} ancestors")
        element = parent
    return element


def element_id(element: etree._Element) -> str:
    """Return an element's id attribute, or its parent's when it has none."""
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return ""


def local_name(element: etree._Element) -> str:
    """Return the tag without its namespace."""
    return etree.QName(element).localname
