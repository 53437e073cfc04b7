"""The load test's sizing figure (scripts/loadtest.py): users held at p95 ≤ 1 s, interpolated between steps."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "loadtest.py"


@pytest.fixture(scope="module")
def loadtest():
    spec = importlib.util.spec_from_file_location("loadtest_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step(users, p95, errors=0):
    return {"users": users, "p95": p95, "errors": errors, "logged_in": users, "actions": users * 5,
            "per_s": users / 4, "cpu_ms_per_action": 60, "cpu": [70], "wait": [10], "load": 1.5}


def test_the_p95_crossing_one_second_is_interpolated_between_two_steps(loadtest):
    assert loadtest.capacity({"steps": [step(25, 0.3), step(50, 0.7), step(75, 1.3)]}) == (62.5, True)


def test_every_step_held_gives_a_lower_bound(loadtest):
    result = {"steps": [step(50, 0.4), step(100, 0.9)]}
    assert loadtest.capacity(result) == (100.0, False)
    assert loadtest._fmt_capacity(result) == "≥ 100"


def test_a_step_with_errors_gives_the_last_step_held(loadtest):
    assert loadtest.capacity({"steps": [step(50, 0.7), step(75, 0.8, errors=3)]}) == (50.0, True)
    assert loadtest.capacity({"steps": [step(10, 1.5)]}) == (0.0, True)


def test_the_sizing_table_says_whether_two_servers_reach_one_point_six_times_one(loadtest):
    one = {"servers": 1, "steps": [step(50, 0.7), step(75, 1.3)]}
    two = {"servers": 2, "steps": [step(50, 0.3), step(100, 0.9), step(125, 1.1)]}
    text = "\n".join(loadtest.sizing([one, two]))
    assert "| two servers ≥ 1.6× the users of one at p95 ≤ 1 s | 62 → 112 users (1.80×) | yes |" in text
