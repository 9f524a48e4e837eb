"""Per-file checks before any process is read: the kind of document, its schema, form JSON."""

from __future__ import annotations

import copy
import json
import re

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from .errors import Problem
from .loading import bpmn_validator, is_dmn
from .xmlsafe import BPMN_NS, element_id, local_name

FORM_SUFFIXES = ("-schema.json", ".schema.json")  # found in folders as Spiff JSON-schema forms


def is_form(name: str) -> bool:
    """A JSON form schema: any .json file deployed (named by a diagram or on the command line)."""
    return name.lower().endswith(".json")


def check_form_file(name: str, content: bytes) -> list[Problem]:
    """Problems that keep a JSON file from being a form schema."""
    try:
        schema = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", 1)
        return [Problem(name, line, "", f"not a JSON form schema: {error}; fix the JSON")]
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        return [Problem(name, 1, "", "a form schema must be a JSON object with 'properties'")]
    return []


def check_kind(name: str, root: etree._Element) -> list[Problem]:
    """A problem if the file is not the kind of document its extension says."""
    namespace = etree.QName(root).namespace or ""
    if is_dmn(name):
        if local_name(root) == "definitions" and namespace in DMN_SCHEMAS:
            return []
        return [Problem(name, root.sourceline, "", "not a DMN document (expected <definitions> "
                        "in a DMN 1.1-1.3 namespace); export it from a DMN editor")]  # fmt: skip
    if local_name(root) == "definitions" and namespace == BPMN_NS:
        return []
    return [Problem(name, root.sourceline, "", f"not a BPMN 2.0 document (root element is "
                    f"<{local_name(root)}>); save the diagram as BPMN 2.0 XML")]  # fmt: skip


def check_schema(name: str, root: etree._Element) -> list[Problem]:
    """XSD problems of a BPMN or DMN document (call after `check_kind` found none)."""
    if is_dmn(name):
        namespace = etree.QName(root).namespace or ""
        return _xsd_problems(name, root, BpmnValidator(DMN_SCHEMAS[namespace]))
    return _xsd_problems(name, root, bpmn_validator())


def _xsd_problems(name: str, root: etree._Element, validator: BpmnValidator) -> list[Problem]:
    schema = validator.validator
    tree = copy.deepcopy(root)  # keeps source lines; preprocess() edits the tree
    validator.preprocess(tree)
    if schema.validate(tree):
        return []
    lines = {element.sourceline: element for element in root.iter()}
    return [
        Problem(
            name,
            error.line or root.sourceline,
            element_id(lines[error.line]) if error.line in lines else "",
            f"does not match the schema: {_short_xsd(error.message)}",
        )
        for error in schema.error_log
    ]


def _short_xsd(message: str) -> str:
    return re.sub(r"\{[^}]+\}", "", message)
