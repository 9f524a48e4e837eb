"""What diagram scripts may do in the sandbox, besides what it refuses."""

import re

import pytest

from engine.scripting import SandboxEnvironment, SandboxViolation, ScriptRejected


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


@pytest.mark.parametrize(
    ("script", "needle"),
    [
        ("x = int('1' * 20000, 2)", "int(...) would have 20,000 bits"),
        ("x = 'ab'.ljust(10**9)", "str.ljust(...)"),
        ("x = '%1000000000d' % 1", "a width in % formatting"),
        ("x = f'{1:>1000000000}'", "a width in an f-string"),
        ("s = 'x' * 10**6\nx = str([s] * 10**6)", "str(...)"),
        ("s = 'x' * 10**6\nx = sorted([s] * 10**6)", "sorted(...)"),
        ("s = 'x' * 10**6\nx = ''.join([s] * 1000)", "str.join(...)"),
        ("a = [1]\nfor i in range(40):\n    a.extend(a)", "list.extend(...)"),
        ("x = int(Decimal('1e999999'))", "digits before the point"),
        ("x = list(range(10**9))", "range(...)"),
        ("x = math.comb(10**7, 5 * 10**6)", "math.comb(...)"),
        ("x = str.ljust('a', 10**9)", "not on the type"),
    ],
)
def test_sandbox__one_line_that_would_build_a_huge_value_is_refused_before_the_work(script, needle):
    with pytest.raises(SandboxViolation, match=re.escape(needle)):
        SandboxEnvironment({}).execute(script, {})


def test_sandbox__ordinary_builtins_still_behave_like_the_real_ones():
    context = {"values": [3, 1, 2], "label": "甲"}
    SandboxEnvironment({}).execute(
        "ordered = sorted(values, key=abs, reverse=True)\nbig = max(values)\nsmall = min(1, 2)\n"
        "texts = list(map(str, values))\nkinds = [isinstance(label, str), isinstance(1, int)]\n"
        "total = sum(values)\nwide = f'{label:>3}|{big!r}'\npower = 2 ** 10\nrows = [0] * 3",
        context,
    )
    assert context["ordered"] == [3, 2, 1] and context["big"] == 3 and context["small"] == 1
    assert context["texts"] == ["3", "1", "2"] and context["kinds"] == [True, True]
    assert context["total"] == 6 and context["wide"] == "  甲|3"
    assert context["power"] == 1024 and context["rows"] == [0, 0, 0]
