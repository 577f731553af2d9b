"""The perf gate's comparison and callgrind-parsing logic, on synthetic numbers (no timing here)."""
import importlib.util
import json
import os

import pytest

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "perf_gate.py")
_spec = importlib.util.spec_from_file_location("perf_gate", _PATH)
gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gate)

CG = "cg: a*b constants, make_callable"
RATIO = "ratio: 4 MiB feed x+1 / numpy x+1"


def _base(**values):
    return {"tolerance": 0.25, "cases": {k: {"value": v} for k, v in values.items()}}


def _status(rows, name):
    return next(r["status"] for r in rows if r["case"] == name)


@pytest.mark.parametrize("current,status", [
    (1000.0, "ok"), (1250.0, "ok"), (1251.0, "REGRESSION"), (2000.0, "REGRESSION"),
    (760.0, "ok"), (740.0, "faster"), (100.0, "faster")])
def test_threshold_is_25_percent_worse(current, status):
    rows = gate.compare({CG: current}, _base(**{CG: 1000.0}))
    assert _status(rows, CG) == status
    assert gate.failed(rows) == ([CG] if status == "REGRESSION" else [])


def test_change_is_relative_to_baseline():
    rows = gate.compare({CG: 1500.0, RATIO: 0.9}, _base(**{CG: 1000.0, RATIO: 1.2}))
    by = {r["case"]: r for r in rows}
    assert by[CG]["change"] == pytest.approx(0.5)
    assert by[RATIO]["change"] == pytest.approx(-0.25)
    assert gate.failed(rows) == [CG]


def test_injected_2x_slowdown_fails_every_kind_of_case():
    names = [c[0] for c in gate.CALLGRIND_CASES] + [gate.BENCH_CASE] + gate.RATIO_CASES
    base = _base(**{n: 10.0 + i for i, n in enumerate(names)})
    slow = {n: 2 * (10.0 + i) for i, n in enumerate(names)}
    assert sorted(gate.failed(gate.compare(slow, base))) == sorted(names)
    same = {n: 10.0 + i for i, n in enumerate(names)}
    assert gate.failed(gate.compare(same, base)) == []


def test_per_case_and_global_tolerance():
    base = _base(**{CG: 100.0, RATIO: 1.0})
    base["cases"][RATIO]["tolerance"] = 0.5
    rows = gate.compare({CG: 130.0, RATIO: 1.4}, base)
    assert _status(rows, CG) == "REGRESSION"
    assert _status(rows, RATIO) == "ok"
    assert gate.failed(gate.compare({CG: 130.0}, _base(**{CG: 100.0}), tolerance=0.4)) == []


def test_skipped_new_missing_and_invalid_cases_never_pass_silently():
    base = _base(**{CG: 100.0, RATIO: 1.0, "cg: gone": 5.0})
    rows = gate.compare({CG: None, RATIO: 1.0, "ratio: new one": 3.0, "cg: broken": 0.0}, base,
                        skipped={CG: "valgrind not installed"})
    by = {r["case"]: r for r in rows}
    assert by[CG]["status"] == "skipped" and by[CG]["note"] == "valgrind not installed"
    assert by["ratio: new one"]["status"] == "new"
    assert by["cg: gone"]["status"] == "skipped"  # in the baseline, not measured now
    assert by["cg: broken"]["status"] == "ERROR"
    assert sorted(gate.failed(rows)) == ["cg: broken"]
    assert gate.compare({CG: float("nan")}, base)[0]["status"] == "ERROR"


def test_table_lists_every_case_with_status():
    rows = gate.compare({CG: 2000.0, RATIO: 1.0}, _base(**{CG: 1000.0, RATIO: 1.0}))
    table = gate.format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 3
    assert CG in lines[1] and "REGRESSION" in lines[1] and "+100.0%" in lines[1] and "2,000" in lines[1]
    assert RATIO in lines[2] and lines[2].rstrip().endswith("ok")


def test_make_baseline_keeps_unmeasured_cases_and_tolerances(tmp_path):
    old = _base(**{CG: 100.0, RATIO: 1.0})
    old["cases"][RATIO]["tolerance"] = 0.4
    new = gate.make_baseline({CG: None, RATIO: 1.23456, "cg: fresh": 123456.7}, old, {"python": "x"})
    assert new["cases"][CG]["value"] == 100.0  # valgrind missing while updating: old value kept
    assert new["cases"][RATIO] == {"value": 1.235, "unit": "time ratio", "tolerance": 0.4}
    assert new["cases"]["cg: fresh"]["value"] == 123457.0
    assert new["tolerance"] == 0.25 and new["meta"] == {"python": "x"}
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(new))
    loaded = gate.load_baseline(str(path))
    assert gate.failed(gate.compare({CG: 100.0, RATIO: 1.3, "cg: fresh": 123000.0}, loaded)) == []
    assert gate.load_baseline(str(tmp_path / "missing.json")) is None


def _write_dump(path, part, trigger, total):
    path.write_text(f"# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 1\ncmd: python w.py\n"
                    f"part: {part}\n\ndesc: I1 cache: \ndesc: Trigger: {trigger}\n\npositions: line\n"
                    f"events: Ir\nsummary: {total}\n\n\nfl=(1) x.c\nfn=(1) f\n0 {total}\n\ntotals: {total}\n")


def test_callgrind_segments_and_per_step(tmp_path):
    # An unrelated getppid call at start-up, then the worker's 4 markers around 2 loops (noop, case).
    dumps = [(1, "--dump-before=getppid", 999), (2, "--dump-before=getppid", 5_000_000),
             (3, "--dump-before=getppid", 1_000), (4, "--dump-before=getppid", 777),
             (5, "--dump-before=getppid", 21_000), (6, "Program termination", 42)]
    paths = []
    for part, trig, total in dumps:
        p = tmp_path / f"cg.out.{part}"
        _write_dump(p, part, trig, total)
        paths.append(str(p))
    parts = gate.parse_callgrind_parts(reversed(paths))
    assert [p[0] for p in parts] == [1, 2, 3, 4, 5, 6]
    assert parts[2] == (3, "--dump-before=getppid", 1000)
    costs = gate.segment_costs(parts, n_markers=4)
    assert costs == [1_000, 777, 21_000]
    assert gate.per_step(costs, [10, 100]) == [pytest.approx(210.0 - 100.0)]
    with pytest.raises(RuntimeError):
        gate.segment_costs(parts, n_markers=7)
    with pytest.raises(RuntimeError):
        gate.per_step(costs[:2], [10, 100])


def test_units_by_case_kind():
    assert gate.unit_of(CG) == "instr/step"
    assert gate.unit_of(RATIO) == "time ratio"
    names = [c[0] for c in gate.CALLGRIND_CASES] + [gate.BENCH_CASE] + gate.RATIO_CASES
    assert len(set(names)) == len(names)
