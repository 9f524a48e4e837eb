"""Build SpiffWorkflow specs from a set of deployed source files.

One parser instance per model set (SpiffWorkflow refuses to re-add a process id),
and the parser class must match the diagram's dialect (SPIFF-NOTES). Everything
SpiffWorkflow returns stays inside this module and `running.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG

from .dialects import CAMUNDA
from .xmlsafe import parse_xml


@cache
def bpmn_validator() -> BpmnValidator:
    """The BPMN 2.0 XSD validator (loading the schema takes a while, so once)."""
    return BpmnValidator()


@dataclass(frozen=True)
class ProcessSpecs:
    """The parsed spec of one process plus the specs of everything it calls."""

    process_id: str
    dialect: str
    spec: Any
    subprocess_specs: dict[str, Any]


def is_dmn(name: str) -> bool:
    """Tell a decision table file from a diagram by its extension."""
    return name.lower().endswith(".dmn")


def build_parser(files: Mapping[str, bytes], dialect: str) -> Any:
    """Return a SpiffWorkflow parser of the given dialect loaded with the files.

    The files are one process's closure, which validation keeps to one flavour (plain
    BPMN files fit either), so every diagram among them is parsed with `dialect`.
    """
    parser = CamundaParser() if dialect == CAMUNDA else SpiffBpmnParser()
    for name, content in sorted(files.items()):
        root, problems = parse_xml(content, name)
        if root is None or problems:
            continue
        if is_dmn(name):
            parser.add_dmn_xml(root, filename=name)
        elif name.lower().endswith(".bpmn"):
            parser.add_bpmn_xml(etree.ElementTree(root), filename=name)
    return parser


def load_process(files: Mapping[str, bytes], process_id: str, dialect: str) -> ProcessSpecs:
    """Parse the files and return the specs needed to run `process_id`."""
    parser = build_parser(files, dialect)
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    return ProcessSpecs(process_id, dialect, spec, subprocess_specs)


def serializer_config(dialect: str) -> dict[str, Any]:
    """The serializer converters matching a dialect's parser."""
    config: dict[str, Any] = CAMUNDA_CONFIG if dialect == CAMUNDA else SPIFF_CONFIG
    return config
