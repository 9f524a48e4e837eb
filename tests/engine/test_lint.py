"""Constructs that pass the XSD but would misbehave at run time are refused at deploy."""

import pytest

from engine.validation import validate

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
<bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
"""
TAIL = """<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t1"/>
<bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="end"/>
</bpmn:process></bpmn:definitions>
"""


def _problems(middle: str) -> list[str]:
    return [str(p) for p in validate({"p.bpmn": (HEAD + middle + TAIL).encode()}).problems]


@pytest.mark.parametrize(
    ("middle", "expected"),
    [
        (
            '<bpmn:userTask id="t1" camunda:candidateGroups="${group}"><bpmn:incoming>f1'
            "</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>",
            "p.bpmn:7: t1: camunda:candidateGroups '${group}' uses a JUEL expression",
        ),
        (
            '<bpmn:userTask id="t1"><bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="date" label="日期" type="date"/></camunda:formData>'
            "</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2"
            "</bpmn:outgoing></bpmn:userTask>",
            "p.bpmn:7: date: form field 'date' would hide the script helper",
        ),
        (
            '<bpmn:userTask id="t1"><bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="phone" label="电话" type="string"><camunda:validation>'
            '<camunda:constraint name="pattern" config="("/></camunda:validation>'
            "</camunda:formField></camunda:formData></bpmn:extensionElements>"
            "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>",
            "p.bpmn:7: phone: the pattern is not a valid regular expression",
        ),
        (
            '<bpmn:intermediateCatchEvent id="t1"><bpmn:incoming>f1</bpmn:incoming>'
            "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition>\n"
            '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R3/PT1H"</bpmn:timeCycle>'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
            "p.bpmn:8: t1: cycle timers are not supported",
        ),
    ],
    ids=["juel-candidate-group", "field-shadows-helper", "bad-pattern", "cycle-timer"],
)
def test_lint__refuses_with_line_and_element(middle: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in _problems(middle)), _problems(middle)


def test_lint__a_comment_inside_a_timer_is_not_its_value() -> None:
    middle = (
        '<bpmn:intermediateCatchEvent id="t1"><bpmn:incoming>f1</bpmn:incoming>'
        "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition><!-- daily -->"
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    assert _problems(middle) == []
