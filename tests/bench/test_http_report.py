"""bench/http_bench.py's report: the open loop's tables (the highest offered rate judged, the others
shown beside), from saved runs."""

from __future__ import annotations

from bench import http_bench


def figures(p95: float, rps: float, client: str = "client") -> dict:
    return {
        "rps": rps,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.5,
        "failures": 0,
        "requests": 100,
        "cpu_ms": {"gunicorn": 10.0, "postgres": 5.0, client: 2.0},
        "load_before": 1.0,
    }


def saved_run(label: str, open_client: str, detail_p95: float) -> dict:
    generator = "client" if open_client == "arrivals" else "locust"
    return {
        "label": label,
        "commit": "abc1234",
        "cases": 250_000,
        "province": "P",
        "province_cases": 1000,
        "machine": {"cpu": "CPU", "cores": 2, "postgres": "PostgreSQL 15", "pg_settings": "defaults"},
        "started": "2026-12-02 01:00 UTC",
        "load_at_start": 1.0,
        "users": 20,
        "duration": 60,
        "rate": 50,
        "rates": [20, 50],
        "open_duration": 30,
        "open_client": open_client,
        "schedule": "poisson",
        "scenarios": {
            "case detail": {
                "closed": figures(200, 100.0, "locust"),
                "open@20": figures(40, 20.0, generator),
                "open": figures(detail_p95, 49.0, generator),
            },
            "resolution rates": {
                "closed": figures(150, 120.0, "locust"),
                "open@20": figures(30, 20.0, generator),
                "open": figures(250, 50.0, generator),
            },
        },
    }


def test_the_open_loop_report_judges_the_highest_rate_and_shows_the_lower_without_a_target(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(http_bench, "RESULTS", tmp_path / "HTTP_RESULTS.md")
    http_bench.write_report(
        [saved_run("before", "locust", 900), saved_run("after", "arrivals", 80)], ["A note."]
    )
    text = (tmp_path / "HTTP_RESULTS.md").read_text(encoding="utf-8")
    fifty = text.split("## Open loop (50 requests/s offered)")[1].split("## Open loop (20")[0]
    twenty = text.split("## Open loop (20 requests/s offered)")[1]
    # detail: 80 ms ≤ 100 at 49 of 50 req/s; the report: 250 ms > 200
    assert (
        "| case detail | 100 | 49.0 | 450 / 900 / 1350 | 0 | 10.0 / 5.0 / 2.0 | 1.0 | 49.0 | 40 / 80 / 120 |"
        in fifty
    )
    assert fifty.count("| yes |") == 1 and fifty.count("| no |") == 1
    assert "| case detail | 20.0 | 20 / 40 / 60 |" in twenty and "target met" not in twenty
    assert "open loop by locust `constant_throughput(1)` users" in text
    assert "open loop by bench/openloop.py (poisson arrivals, seed 1)" in text
    assert text.rstrip().endswith("A note.")


def closed_only(label: str, commit: str, rates: dict[str, float]) -> dict:
    run = saved_run(label, "arrivals", 80)
    run["commit"] = commit
    run["scenarios"] = {name: {"closed": figures(100, rps, "locust")} for name, rps in rates.items()}
    return run


def closed_verdicts(text: str) -> dict[str, str]:
    table = text.split("## Closed loop (throughput)")[1].split("## Open loop")[0]
    rows = [
        line.split("|") for line in table.splitlines() if line.startswith("| ") and "scenario" not in line
    ]
    return {cells[1].strip(): cells[-2].strip() for cells in rows}


def test_throughput_is_judged_against_the_issues_code_run_in_the_same_sitting_as_well(tmp_path, monkeypatch):
    monkeypatch.setattr(http_bench, "RESULTS", tmp_path / "HTTP_RESULTS.md")
    issue = closed_only(
        "issue",
        http_bench.ISSUE_CODE + "a",  # a longer abbreviation of the same commit
        {"case detail": 100.0, "case list": 30.0, "transitions": 40.0},
    )
    # detail: 3.1x the printed 70 but 2.2x the same sitting's 100; the list: 3.3x the sitting's 30
    # (no printed figure); transitions: 4.5x the printed 44.6 and 5x the sitting's 40.
    final = closed_only("final", "def5678", {"case detail": 220.0, "case list": 100.0, "transitions": 200.0})
    http_bench.write_report([issue, final], [])
    text = (tmp_path / "HTTP_RESULTS.md").read_text(encoding="utf-8")
    assert closed_verdicts(text) == {"case detail": "no", "case list": "yes", "transitions": "yes"}
    assert f"Where the issue's code ({http_bench.ISSUE_CODE}) ran in the same sitting" in text

    # Without that run only the printed figures judge, and the list has none.
    http_bench.write_report([closed_only("other", "abc1234", {"case detail": 1.0}), final], [])
    text = (tmp_path / "HTTP_RESULTS.md").read_text(encoding="utf-8")
    assert closed_verdicts(text) == {
        "case detail": "yes",
        "case list": "no figure in the issue",
        "transitions": "yes",
    }
