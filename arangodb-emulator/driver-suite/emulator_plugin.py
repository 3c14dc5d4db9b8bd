"""pytest plugin that adapts python-arango's own test suite to the emulator
without editing the vendored files under tests/.

It reads `exclusions.txt` (one test id per line, then ` # ` and the reason),
deselects those tests, reports how many it deselected and fails the session
when an exclusion names a test that no longer exists, so the list cannot rot.

A reason that starts with `pending:` names work another branch brings (a
feature the emulator will serve once that branch is merged). Such a test is
not deselected: it runs as a non-strict xfail, so its failure does not fail
the run, and an XPASS in the per-file table says the line can go.
"""

from __future__ import annotations

import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
EXCLUSIONS = HERE / "exclusions.txt"


def load_exclusions(path: pathlib.Path = EXCLUSIONS) -> dict[str, str]:
    """Test id -> reason, from the committed exclusion list."""
    excluded: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        test_id, sep, reason = line.partition(" # ")
        if not sep or not reason.strip():
            raise pytest.UsageError(f"{path.name}:{number}: an exclusion needs ' # reason'")
        excluded[test_id.strip()] = reason.strip()
    return excluded


def pytest_collection_modifyitems(session, config, items):
    excluded = load_exclusions()
    kept, dropped = [], []
    seen = set()
    for item in items:
        # Ids without the parametrisation suffix exclude every variant.
        base = item.nodeid.split("[", 1)[0]
        match = item.nodeid if item.nodeid in excluded else base if base in excluded else None
        if match is None:
            kept.append(item)
        elif excluded[match].startswith("pending:"):
            seen.add(match)
            item.add_marker(pytest.mark.xfail(reason=excluded[match], strict=False))
            kept.append(item)
        else:
            seen.add(match)
            dropped.append(item)
    config._emulator_excluded = len(dropped)
    for item in dropped:
        _counts(config, item.nodeid)["excluded"] += 1
    selected_files = {item.nodeid.split("::", 1)[0] for item in items}
    stale = [
        test_id
        for test_id in excluded
        if test_id not in seen and test_id.split("::", 1)[0] in selected_files
    ]
    if stale:
        raise pytest.UsageError(
            "exclusions.txt names tests that were not collected: " + ", ".join(stale)
        )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _counts(config, nodeid: str) -> dict[str, int]:
    """The outcome counters of the test file that `nodeid` belongs to."""
    per_file = config.__dict__.setdefault("_emulator_counts", {})
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return per_file.setdefault(
        name,
        {"passed": 0, "failed": 0, "skipped": 0, "excluded": 0, "pending": 0, "xpass": 0},
    )


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    config = _CONFIG["config"]
    counts = _counts(config, report.nodeid)
    if hasattr(report, "wasxfail"):
        if report.skipped:
            counts["pending"] += 1
        elif report.when == "call" and report.passed:
            counts["xpass"] += 1
    elif report.when == "call" and report.passed:
        counts["passed"] += 1
    elif report.failed:
        counts["failed"] += 1
    elif report.skipped:
        counts["skipped"] += 1


_CONFIG: dict = {}


def pytest_configure(config):
    _CONFIG["config"] = config


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    excluded = getattr(config, "_emulator_excluded", 0)
    per_file = config.__dict__.get("_emulator_counts", {})
    terminalreporter.write_sep("=", "python-arango suite against the emulator, per file")
    for name in sorted(per_file):
        c = per_file[name]
        terminalreporter.write_line(
            f"{name:24} passed {c['passed']:3}  failed {c['failed']:3}  "
            f"skipped {c['skipped']:3}  excluded {c['excluded']:3}  "
            f"pending {c['pending']:3}  xpass {c['xpass']:3}"
        )
    pending = sum(c["pending"] + c["xpass"] for c in per_file.values())
    terminalreporter.write_line(
        f"emulator driver suite: {excluded} tests excluded by exclusions.txt, "
        f"{pending} pending on other branches (run as non-strict xfail)"
    )
