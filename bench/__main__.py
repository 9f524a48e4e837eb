"""`make bench` / `make bench-quick`: every performance goal beside its baseline, in one run.

Prints each figure as it is measured, then a Markdown table, then one line of JSON with
the keys the performance issue names. Not a test: it asserts nothing; the goals are
ratios, so they hold on any machine (see README, "Benchmark").
"""

from __future__ import annotations

import argparse
import json

from . import engine_costs, inbox, over_http, reports, timers
from .common import Report, Sizes, postgres_url, sqlite_url


def http_goals(report: Report, sizes: Sizes, floor_ms: float) -> None:
    """(a) completions/s against the trivial endpoint; (b) submit p50 against the floor."""
    for label, database in (("sqlite", sqlite_url), ("pg", postgres_url)):
        with database() as url:
            ours = over_http.completions(url, sizes.http_requests, sizes.http_clients)
        with database() as url:
            base = over_http.bound(url, sizes.http_requests, sizes.http_clients)
        ratio = ours.per_second / base.per_second
        report.add(f"(a) completions/s over HTTP, {label}", f"{ours.per_second:,.0f}/s "
                   f"({ours.failures} failed)", f"{base.per_second:,.0f}/s", f"{ratio:.1%}",
                   "≥ 50%")  # fmt: skip
        report.key(f"http_vs_bound_{label}", ratio)
    with sqlite_url() as url:
        ours = over_http.completions(url, sizes.submit_samples, 1)
    with sqlite_url() as url:
        base = over_http.bound(url, sizes.submit_samples, 1)
    bound = over_http.p50_ms(base) + floor_ms
    submit = over_http.p50_ms(ours)
    report.add("(b) one submit over HTTP, p50, sqlite", f"{submit:.1f} ms",
               f"{over_http.p50_ms(base):.1f} ms endpoint + {floor_ms:.2f} ms floor",
               f"{submit / bound:.1f}×", "≤ 1.5×")  # fmt: skip
    report.key("submit_p50_ms", submit)
    report.key("floor_ms", floor_ms)


def engine_goals(report: Report, sizes: Sizes) -> None:
    """(c) cost at 500 vs 10 events, (e) replay, SQL statements per completion."""
    with sqlite_url() as url:
        at_10, at_500 = engine_costs.cost_ratio(url, sizes.cost_samples)
    report.add("(c) completion CPU at 500 ÷ at 10 events", f"{at_500:.1f} ms",
               f"{at_10:.1f} ms", f"{at_500 / at_10:.1f}×", "≤ 1.5×")  # fmt: skip
    report.key("cost_500_vs_10", at_500 / at_10)
    with sqlite_url() as url:
        replay = engine_costs.replay_ms(url, sizes.replay_events)
    report.add(f"(e) replay of a {sizes.replay_events}-event case, slowest step",
               f"{replay:,.0f} ms", "-", "-", "≤ 100 ms")  # fmt: skip
    report.key("replay_200_ms", replay)
    with sqlite_url() as url:
        statements = engine_costs.sql_per_completion(url)
    with postgres_url() as url:
        on_postgres = engine_costs.sql_per_completion(url)
    report.add("SQL statements per completion (web API)",
               f"{statements} SQLite, {on_postgres} PostgreSQL", "-", "-", "≤ 8")  # fmt: skip
    report.key("sql_per_completion", statements)  # the default database's
    report.key("sql_per_completion_pg", on_postgres)


def postgres_goals(report: Report, sizes: Sizes) -> None:
    """(d) the inbox among many cases, (f) timers with two workers, the 三率 report."""
    with postgres_url() as url:
        engine_p99, web_p99, size = inbox.inbox_p99(
            url, sizes.inbox_history, sizes.inbox_open, sizes.inbox_samples
        )
    report.add(f"(d) inbox p99, {sizes.inbox_history:,} finished + {sizes.inbox_open:,} open, "
               f"{size} rows", f"{engine_p99:.1f} ms engine, {web_p99:.1f} ms HTTP", "-", "-",
               "≤ 20 ms, ≤ 25 ms")  # fmt: skip
    report.key("inbox_p99_ms", engine_p99)
    report.key("inbox_http_p99_ms", web_p99)
    with postgres_url() as url:
        rate, twice, missed = timers.timers_per_second(url, sizes.timers)
    report.add(
        f"(f) {sizes.timers:,} due timers, 2 workers, pg",
        f"{rate:,.0f}/s ({twice} twice, {missed} missed)",
        "-",
        "-",
        "≥ 300/s, 0, 0",
    )
    report.key("timers_per_s", rate)
    with postgres_url() as url:
        backfill, cold, warm, changed, counted, events = reports.rates_ms(url, sizes.rates_cases)
    figure = (f"{warm:,.0f} ms; {changed:,.0f} ms after a case moved; first call after a "
              f"start {cold:,.0f} ms (filling case_facts {backfill:,.0f} ms)")  # fmt: skip
    report.add(f"三率 report, {counted:,} intake cases ({events:,} events), grouped by unit, pg",
               figure, "-", "-", "< 1,000 ms")  # fmt: skip
    report.key("rates_100k_ms", warm)
    report.key("rates_100k_changed_ms", changed)
    report.key("rates_100k_cold_ms", cold)
    report.key("rates_100k_backfill_ms", backfill)


def main() -> None:
    """Run every benchmark and print the table and the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes)")
    parser.add_argument("--only", choices=("http", "engine", "postgres"), action="append",
                        help="run only these groups (repeatable)")  # fmt: skip
    args = parser.parse_args()
    sizes = Sizes.quick() if args.quick else Sizes()
    groups = set(args.only or ("http", "engine", "postgres"))
    report = Report()
    floor_ms = engine_costs.in_memory_floor_ms(sizes.submit_samples * 5)
    if "http" in groups:
        http_goals(report, sizes, floor_ms)
    if "engine" in groups:
        engine_goals(report, sizes)
    if "postgres" in groups:
        postgres_goals(report, sizes)
    print("\n" + report.table() + "\n")
    print(json.dumps(report.keys, ensure_ascii=False))


if __name__ == "__main__":
    main()
