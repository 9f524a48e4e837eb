"""Lint of vendor extensions that SpiffWorkflow accepts but this engine cannot honour.

A Camunda service task implemented in Java (`camunda:class`, `delegateExpression`,
`expression`, `type="external"`) parses and then waits for ever; a Spiff service task
needs a connector proxy, which this deployment does not have, and fails at run time.
"""

from __future__ import annotations

from lxml import etree

from .errors import Problem
from .scripting import NO_CONNECTOR
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, ancestor

IMPLEMENTED_TASKS = ("serviceTask", "sendTask", "businessRuleTask")
JAVA_ATTRIBUTES = ("class", "delegateExpression", "expression")
INSTEAD = (
    "this engine runs no Java delegates, external workers or connectors, so the case would "
    "stop there: compute in a script task (Python) or give the work to a person in a user task"
)


def lint_extensions(file: str, process: etree._Element) -> list[Problem]:
    """Service tasks whose implementation lives outside the diagram."""
    problems = []
    for task in process.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in IMPLEMENTED_TASKS)):
        message = _camunda_implementation(task)
        if message is not None:
            problems.append(Problem(file, task.sourceline, task.get("id", ""), message))
    for operator in process.iterfind(
        ".//bpmn:serviceTask//spiffworkflow:serviceTaskOperator", NSMAP
    ):
        task = ancestor(operator, 2)
        operation = operator.get("id", "")
        problems.append(
            Problem(
                file,
                task.sourceline,
                task.get("id", ""),
                f"calls the operator '{operation}': {NO_CONNECTOR}",
            )
        )
    return problems


def _camunda_implementation(task: etree._Element) -> str | None:
    for attribute in JAVA_ATTRIBUTES:
        value = task.get(f"{{{CAMUNDA_NS}}}{attribute}")
        if value:
            return f'camunda:{attribute}="{value}" is implemented in Java; {INSTEAD}'
    if task.get(f"{{{CAMUNDA_NS}}}type") == "external":
        topic = task.get(f"{{{CAMUNDA_NS}}}topic", "")
        return f'camunda:type="external" (topic "{topic}") waits for an external worker; {INSTEAD}'
    if task.find("bpmn:extensionElements/camunda:connector", NSMAP) is not None:
        return f"camunda:connector calls a Camunda Connect connector; {INSTEAD}"
    return None


def lint_form_references(file: str, process: etree._Element, forms: set[str]) -> list[Problem]:
    """Spiff user tasks naming a JSON form file that is not deployed with them."""
    problems = []
    path = ".//bpmn:userTask//spiffworkflow:property[@name='formJsonSchemaFilename']"
    for prop in process.iterfind(path, NSMAP):
        name = (prop.get("value") or "").strip()
        if name and name not in forms:
            task = ancestor(prop, 3)
            problems.append(
                Problem(
                    file,
                    prop.sourceline,
                    task.get("id", ""),
                    (
                        f"the form file '{name}' is not deployed; deploy it with this diagram "
                        "(name it on the command line or put it in the same folder)"
                    ),
                )
            )
    return problems
