"""The diagrams in processes/ as users see them: layout, names, routing and forms.

They are shown in bpmn-js, so every element needs diagram information, shapes must
not overlap, lanes must hold their nodes, edges must start and end on their shapes
without crossing others, and flow runs left to right (only loops run back). The
rules of processes/CONTRACT.md are checked too: Chinese names, snake_case ids,
candidate groups of the known kinds, and a form on every user task.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from lxml import etree

from engine.deployment import read_sources
from engine.validation import validate

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
DIAGRAMS = sorted(PROCESSES.glob("*/*.bpmn"))
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
FLOW_NODES = (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "userTask", "scriptTask", "businessRuleTask", "callActivity",
    "subProcess", "exclusiveGateway", "parallelGateway", "eventBasedGateway",
)  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
GROUP = re.compile(
    r"^(clerks:\{(intake_unit|pass_up_to)\}|dept:\{(department|lead_department)\}|chief:\{lead_department\}"
    r"|leading_office|joint_meeting|supervising_office|discipline)$"
)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)  # fmt: skip

    def contains(self, other: Box) -> bool:
        return (self.x <= other.x and other.right <= self.right
                and self.y <= other.y and other.bottom <= self.bottom)  # fmt: skip

    def on_border(self, x: float, y: float) -> bool:
        inside = self.x - 1 <= x <= self.right + 1 and self.y - 1 <= y <= self.bottom + 1
        near = min(abs(x - self.x), abs(x - self.right), abs(y - self.y), abs(y - self.bottom))
        return inside and near <= 1

    def shrunk(self, by: float) -> Box:
        return Box(self.x + by, self.y + by, self.w - 2 * by, self.h - 2 * by)


class Diagram:
    """One .bpmn file: its elements, shapes and edges."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root = etree.parse(str(path)).getroot()
        # camunda:property ids are property names (`label_en:<option>`), not element ids
        self.by_id = {
            e.get("id"): e
            for e in self.root.iter()
            if e.get("id") and etree.QName(e).localname != "property"
        }
        self.shapes = {
            s.get("bpmnElement"): _bounds(s) for s in self.root.iterfind(".//bpmndi:BPMNShape", NS)
        }
        self.edges = {
            e.get("bpmnElement"): [
                (float(p.get("x")), float(p.get("y"))) for p in e.iterfind("di:waypoint", NS)
            ]
            for e in self.root.iterfind(".//bpmndi:BPMNEdge", NS)
        }

    def nodes(self) -> Iterator[etree._Element]:
        for tag in FLOW_NODES:
            yield from self.root.iterfind(f".//bpmn:{tag}", NS)

    def flows(self) -> list[etree._Element]:
        return list(self.root.iterfind(".//bpmn:sequenceFlow", NS))

    def tag(self, element_id: str) -> str:
        return etree.QName(self.by_id[element_id]).localname

    def related(self, element_id: str) -> set[str]:
        """The element, the subprocesses around it, and the boundary events on it or its host."""
        element = self.by_id[element_id]
        found = {element_id, element.get("attachedToRef") or element_id}
        parent = element.getparent()
        while parent is not None and etree.QName(parent).localname == "subProcess":
            found.add(parent.get("id"))
            parent = parent.getparent()
        for node in self.nodes():
            if node.get("attachedToRef") in found:
                found.add(node.get("id"))
        return found


def _bounds(shape: etree._Element) -> Box:
    b = shape.find("dc:Bounds", NS)
    return Box(*(float(b.get(k)) for k in ("x", "y", "width", "height")))


@pytest.fixture(params=DIAGRAMS, ids=lambda p: p.stem)
def diagram(request: pytest.FixtureRequest) -> Diagram:
    return Diagram(request.param)


def test_processes__validate_and_deploy_without_problems() -> None:
    model = validate(read_sources([PROCESSES]))
    assert [str(p) for p in model.problems] == []
    assert set(model.processes) == {p.stem for p in DIAGRAMS}


def test_diagram__every_element_has_diagram_information(diagram: Diagram) -> None:
    missing = [n.get("id") for n in diagram.nodes() if n.get("id") not in diagram.shapes]
    missing += [f.get("id") for f in diagram.flows() if f.get("id") not in diagram.edges]
    lanes = diagram.root.iterfind(".//bpmn:lane", NS)
    missing += [lane.get("id") for lane in lanes if lane.get("id") not in diagram.shapes]
    assert missing == []


def test_diagram__shapes_do_not_overlap(diagram: Diagram) -> None:
    ids = [n.get("id") for n in diagram.nodes()]
    clashes = [
        (a, b)
        for a, b in combinations(ids, 2)
        if b not in diagram.related(a)
        and a not in diagram.related(b)  # a node inside a subprocess lies on it
        and diagram.shapes[a].overlaps(diagram.shapes[b])
    ]
    assert clashes == []


def test_diagram__lanes_hold_their_nodes_inside_the_pool(diagram: Diagram) -> None:
    pools = list(diagram.root.iterfind(".//bpmn:participant", NS))
    assert len(pools) == 1, "one pool per diagram"
    pool = diagram.shapes[pools[0].get("id")]
    lanes = list(diagram.root.iterfind(".//bpmn:lane", NS))
    assert lanes, "roles are shown as lanes"
    for lane in lanes:
        box = diagram.shapes[lane.get("id")]
        assert pool.contains(box), lane.get("id")
        assert CJK.search(lane.get("name", "")), f"{lane.get('id')} needs a Chinese name"
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            assert box.contains(diagram.shapes[ref.text].shrunk(1)), f"{ref.text} not in lane"
    for a, b in combinations(lanes, 2):
        assert not diagram.shapes[a.get("id")].overlaps(diagram.shapes[b.get("id")])
    for node in diagram.nodes():
        assert pool.contains(diagram.shapes[node.get("id")].shrunk(1)), node.get("id")


def test_diagram__edges_join_their_shapes_and_cross_no_other(diagram: Diagram) -> None:
    problems = []
    for flow in diagram.flows():
        points = diagram.edges[flow.get("id")]
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if not diagram.shapes[source].on_border(*points[0]):
            problems.append(f"{flow.get('id')} does not start on {source}")
        if not diagram.shapes[target].on_border(*points[-1]):
            problems.append(f"{flow.get('id')} does not end on {target}")
        allowed = diagram.related(source) | diagram.related(target)
        for node in diagram.nodes():
            if node.get("id") in allowed or node.tag.endswith("subProcess"):
                continue
            box = diagram.shapes[node.get("id")].shrunk(2)
            if any(_crosses(a, b, box) for a, b in pairwise(points)):
                problems.append(f"{flow.get('id')} crosses {node.get('id')}")
    assert problems == []


def _crosses(a: tuple[float, float], b: tuple[float, float], box: Box) -> bool:
    """Whether an axis-parallel (or any) segment passes through a box."""
    steps = max(2, int(max(abs(a[0] - b[0]), abs(a[1] - b[1])) // 2))
    for i in range(steps + 1):
        x = a[0] + (b[0] - a[0]) * i / steps
        y = a[1] + (b[1] - a[1]) * i / steps
        if box.x < x < box.right and box.y < y < box.bottom:
            return True
    return False


def test_diagram__flows_run_left_to_right_except_loops(diagram: Diagram) -> None:
    successors: dict[str, set[str]] = {}
    for flow in diagram.flows():
        successors.setdefault(flow.get("sourceRef"), set()).add(flow.get("targetRef"))
    for boundary in diagram.root.iterfind(".//bpmn:boundaryEvent", NS):
        # a token inside an activity may leave it by its boundary events
        successors.setdefault(boundary.get("attachedToRef"), set()).add(boundary.get("id"))

    def reaches(start: str, goal: str) -> bool:
        seen, pending = set(), [start]
        while pending:
            node = pending.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                pending.extend(successors.get(node, ()))
        return False

    backwards = []
    for flow in diagram.flows():
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        s, t = diagram.shapes[source], diagram.shapes[target]
        in_loop = reaches(target, source)
        if t.x + t.w / 2 < s.x + s.w / 2 - 1 and not in_loop:
            backwards.append(flow.get("id"))
    assert backwards == []
    process = diagram.root.find("bpmn:process", NS)
    start = diagram.shapes[process.find("bpmn:startEvent", NS).get("id")]
    leftmost = min(diagram.shapes[n.get("id")].x for n in diagram.nodes())
    assert start.x == leftmost, "the process starts at the left"


def test_diagram__ids_are_snake_case_and_names_chinese(diagram: Diagram) -> None:
    bad_ids = [i for i in diagram.by_id if not SNAKE.match(i)]
    assert bad_ids == []
    unnamed = []
    for node in diagram.nodes():
        name = node.get("name", "")
        outgoing = node.findall("bpmn:outgoing", NS)
        is_merge = node.tag.endswith("Gateway") and len(outgoing) <= 1
        if not is_merge and not CJK.search(name):
            unnamed.append(node.get("id"))
    assert unnamed == []
    process = diagram.root.find("bpmn:process", NS)
    assert CJK.search(process.get("name", "")) and process.get("isExecutable") == "true"


def test_diagram__user_tasks_have_groups_deadline_help_and_a_chinese_form(diagram: Diagram) -> None:
    problems = []
    for task in diagram.root.iterfind(".//bpmn:userTask", NS):
        tid = task.get("id")
        groups = (task.get(f"{{{NS['camunda']}}}candidateGroups") or "").split(",")
        problems += [f"{tid}: group {g!r}" for g in groups if not GROUP.match(g.strip())]
        if not task.get(f"{{{NS['camunda']}}}dueDate"):
            problems.append(f"{tid}: no dueDate")
        if not CJK.search(task.findtext("bpmn:documentation", "", NS)):
            problems.append(f"{tid}: no Chinese documentation")
        fields = task.findall(".//camunda:formField", NS)
        if not fields:
            problems.append(f"{tid}: no form")
        for field in fields:
            if not CJK.search(field.get("label", "")) or not SNAKE.match(field.get("id", "")):
                problems.append(f"{tid}.{field.get('id')}: label/id")
            for value in field.iterfind("camunda:value", NS):
                if not CJK.search(value.get("name", "")):
                    problems.append(f"{tid}.{field.get('id')}: value {value.get('id')}")
        lane = [lane for lane in diagram.root.iterfind(".//bpmn:lane", NS)
                if tid in {r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)}]  # fmt: skip
        parent = task.getparent()
        if not lane and etree.QName(parent).localname != "subProcess":
            problems.append(f"{tid}: in no lane")
    assert problems == []


def test_diagram__no_feel_or_juel_anywhere(diagram: Diagram) -> None:
    text = diagram.path.read_text(encoding="utf-8")
    assert "${" not in text and "#{" not in text
    for condition in diagram.root.iterfind(".//bpmn:conditionExpression", NS):
        assert not (condition.text or "").strip().startswith("=")


DMN = PROCESSES / "closed_loop" / "handling_level.dmn"
KINDS = ("special_handling", "policy_consultation", "coordination", "conduct", "misconduct_report")
SCOPES = ("one_department", "several_departments", "district")


def _matches(cell: str, value: str) -> bool:
    """A DMN input cell (Python, as the engine evaluates it) against a value."""
    cell = cell.strip()
    if cell in ("", "-"):
        return True
    expression = cell.replace("?", "value") if "?" in cell else f"value == ({cell})"
    return bool(eval(expression, {"__builtins__": {}}, {"value": value}))  # trusted test input


def _texts(rule: etree._Element, tag: str, ns: dict[str, str]) -> list[str]:
    return [e.findtext("d:text", "", ns) for e in rule.iterfind(tag, ns)]


def _rules() -> list[tuple[list[str], dict[str, str]]]:
    root = etree.parse(str(DMN)).getroot()
    ns = {"d": etree.QName(root).namespace}
    outputs = [o.get("name") for o in root.iterfind(".//d:output", ns)]
    return [
        (
            _texts(rule, "d:inputEntry", ns),
            dict(zip(outputs, _texts(rule, "d:outputEntry", ns), strict=True)),
        )
        for rule in root.iterfind(".//d:rule", ns)
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scope", SCOPES)
def test_handling_level__exactly_one_rule_per_kind_and_scope_follows_the_135_rule(
    kind: str, scope: str
) -> None:
    hits = [out for (k, s), out in _rules() if _matches(k, kind) and _matches(s, scope)]
    assert len(hits) == 1, f"{kind}/{scope}: {len(hits)} rules match (hit policy UNIQUE)"
    days, level = int(hits[0]["sla_days"]), int(hits[0]["escalation_level"])
    expected_days = {"one_department": 1, "several_departments": 3, "district": 5}[scope]
    if kind == "coordination" and scope == "one_department":
        expected_days = 3  # 协调办理 means pushing several departments by nature
    assert days == expected_days
    assert level == {1: 2, 3: 3, 5: 4}[days] or (kind == "misconduct_report" and level == 3)
    assert CJK.search(hits[0]["level_name"])
