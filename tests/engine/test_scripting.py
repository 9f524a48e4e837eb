"""What diagram scripts may do in the sandbox, besides what it refuses."""

import pytest

from engine.scripting import SandboxEnvironment, ScriptRejected


def test_sandbox__star_arguments_and_augmented_assignment_work():
    context = {"fields": {"level": 2}, "names": ["甲", "乙"], "count": 1}
    SandboxEnvironment({}).execute(
        "merged = dict(**fields, extra=True)\nlabel = ' '.join([*names])\ncount += 2", context
    )
    assert context["merged"] == {"level": 2, "extra": True}
    assert context["label"] == "甲 乙"
    assert context["count"] == 3


def test_sandbox__helpers_are_callable_but_do_not_leak_into_task_data():
    context = {"n": 2}
    SandboxEnvironment({"double": lambda x: x * 2}).execute("result = double(n)", context)
    assert context == {"n": 2, "result": 4}


def test_sandbox__wall_clock_reads_are_refused_in_favour_of_the_case_clock():
    for script in ("stamp = datetime.now()", "day = date.today()", "t = datetime.utcnow()"):
        with pytest.raises(ScriptRejected, match="now\\(\\) or today\\(\\)"):
            SandboxEnvironment({}).execute(script, {})


def test_sandbox__values_task_data_cannot_keep_are_refused_by_name():
    with pytest.raises(ScriptRejected, match="'helper_module' holds a module"):
        SandboxEnvironment({}).execute("helper_module = math", {})
    with pytest.raises(ScriptRejected, match="'pending' holds a generator"):
        SandboxEnvironment({}).execute("pending = [(i for i in range(3))]", {})
