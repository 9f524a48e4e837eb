"""English names in the diagrams (label_en): read at deploy time, warned about when missing."""

from __future__ import annotations

from pathlib import Path

from engine.deployment import read_sources
from engine.labels import MISSING_CODE, english_drawing
from engine.modeling import processes, user_tasks
from engine.validation import validate
from engine.xmlsafe import parse_xml

ROOT = Path(__file__).resolve().parents[2]
BILINGUAL = ROOT / "tests" / "web" / "data_labels" / "bilingual.bpmn"
PLAIN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="plain" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="\xe6\xa0\xb8\xe5\xae\x9e">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="ok" label="\xe7\xbb\x93\xe8\xae\xba" type="enum">
          <camunda:value id="yes" name="\xe6\x98\xaf" />
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f1" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_validate__steps_fields_and_options_without_english_are_one_warning() -> None:
    model = validate({"plain.bpmn": PLAIN})
    assert model.problems == []  # still deployable
    (warning,) = model.warnings
    assert (warning.kind, warning.severity, warning.element_id) == (
        MISSING_CODE,
        "warning",
        "plain",
    )
    assert "1 step(s) (check); 1 form field(s) (ok); 1 option(s) (ok:yes)" in warning.message
    assert 'id="label_en:<option id>"' in warning.message  # says which property to add


def test_validate__a_refused_set_lists_its_problems_without_the_english_gaps() -> None:
    broken = PLAIN.replace(b'targetRef="end"', b'targetRef="nowhere"')
    model = validate({"plain.bpmn": broken})
    assert model.problems and model.warnings == []


def test_shipped_diagrams__every_user_facing_name_has_english() -> None:
    model = validate(read_sources([ROOT / "processes"]))
    assert [w for w in model.warnings if w.kind == MISSING_CODE] == []


def test_user_tasks__carry_both_names_of_the_step_its_fields_and_options() -> None:
    root, _problems = parse_xml(BILINGUAL.read_bytes(), BILINGUAL.name)
    assert root is not None
    tasks = user_tasks(processes(root)[0], "camunda", {})
    assert (tasks["assess"].name, tasks["assess"].name_en) == ("受理研判", "Assess the appeal")
    (kind,) = tasks["assess"].form
    assert (kind.label, kind.label_en) == ("诉求类型", "Appeal type")
    assert [(c.id, c.label, c.label_en) for c in kind.choices] == [
        ("coordination", "协调办理", "Coordinated handling"),
        ("conduct", "作风问题", "Conduct issue"),
    ]
    assert kind.properties == {}  # the English names are not left among the properties


def test_english_drawing__names_elements_in_english_and_lists_them() -> None:
    xml, names = english_drawing(BILINGUAL.read_text(encoding="utf-8"))
    assert names["assess"] == "Assess the appeal" and names["end"] == "Closed"
    assert 'name="Assess the appeal"' in xml and "受理研判" not in xml
    assert english_drawing("not xml") == ("not xml", {})
