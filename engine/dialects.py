"""Decide which SpiffWorkflow flavour parses a diagram, from the extensions it actually uses.

Declared namespaces say nothing (modelers declare both out of habit). A file that uses
`camunda:*` attributes or elements is Camunda, one that uses `spiffworkflow:*` is Spiff,
one that uses neither is plain BPMN and runs with whatever its case's other files use.
One case runs one flavour: the parser and serializer config must match (SPIFF-NOTES),
and the two serializer configs register classes of the same names (`UserTask`,
`MessageEventDefinition`, `BusinessRuleTask`), so no single config reads both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lxml import etree

from .xmlsafe import CAMUNDA_NS, NSMAP, SPIFF_NS

CAMUNDA = "camunda"
SPIFF = "spiff"
PLAIN = "plain"
NAMES = {CAMUNDA: "Camunda", SPIFF: "SpiffWorkflow"}
PREFIXES = {CAMUNDA_NS: "camunda", SPIFF_NS: "spiffworkflow"}
DIALECTS = {CAMUNDA_NS: CAMUNDA, SPIFF_NS: SPIFF}


def extension_uses(root: etree._Element) -> dict[str, etree._Element]:
    """The first element using each flavour's extensions (as a tag or an attribute)."""
    found: dict[str, etree._Element] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        namespaces: set[str | None] = {etree.QName(element).namespace}
        namespaces.update(etree.QName(name).namespace for name in element.attrib)
        for namespace in set(DIALECTS) & namespaces:
            found.setdefault(DIALECTS[namespace], element)
        if len(found) == len(DIALECTS):
            break
    return found


def file_dialect(root: etree._Element) -> str:
    """camunda, spiff or plain, from the extensions the file uses (Camunda wins a tie)."""
    uses = extension_uses(root)
    if CAMUNDA in uses:
        return CAMUNDA
    return SPIFF if SPIFF in uses else PLAIN


def mixed_use_message(root: etree._Element) -> tuple[etree._Element, str] | None:
    """Where and why a file that uses both flavours' extensions is refused, or None."""
    uses = extension_uses(root)
    if len(uses) < 2:
        return None
    camunda, spiff = uses[CAMUNDA], uses[SPIFF]
    return spiff, (
        f"uses Camunda extensions (<{_shown(camunda)}> on line {camunda.sourceline}) and "
        f"SpiffWorkflow extensions ({_shown(spiff)} here); one diagram is run by one of them: "
        "remove the spiffworkflow:* or the camunda:* extensions"
    )


def _shown(element: etree._Element) -> str:
    for name in element.attrib:
        namespace = etree.QName(name).namespace
        if namespace in PREFIXES:
            return f"{PREFIXES[namespace]}:{etree.QName(name).localname}"
    qname = etree.QName(element)
    return f"{PREFIXES.get(qname.namespace or '', '')}:{qname.localname}"


def needs_spiff(root: etree._Element) -> bool:
    """A plain file using standard BPMN only the Spiff parser reads.

    The Camunda parser refuses a multi-instance task without `loopCardinality` or
    `camunda:collection`, i.e. every standard one that loops over `loopDataInputRef`.
    """
    for loop in root.iterfind(".//bpmn:multiInstanceLoopCharacteristics", NSMAP):
        if loop.find("bpmn:loopCardinality", NSMAP) is None:
            return True
    return False


def closure_dialect(dialects: Iterable[str], plain_needs_spiff: bool) -> str:
    """The flavour a case runs with, given its files' dialects (at most one concrete one)."""
    concrete = sorted(set(dialects) - {PLAIN})
    if concrete:
        return concrete[0]
    # Plain diagrams ran as Camunda before dialects were read from the elements; keep that
    # (message payloads land in the data under the message name) unless Camunda cannot.
    return SPIFF if plain_needs_spiff else CAMUNDA


def concrete(dialects: Mapping[str, str], files: Iterable[str]) -> set[str]:
    """The concrete flavours among the given files."""
    return {dialects[f] for f in files if dialects.get(f, PLAIN) != PLAIN}
