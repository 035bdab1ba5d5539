"""The end-to-end demo: a sample company run through the whole library.

:func:`run_demo` generates the sample company (:mod:`kamcore.sample`), runs every
capability on it, writes the reports into a folder and returns a one-screen summary.
It is what ``kamcore demo`` runs. Everything is deterministic in the seed.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from kamcore._output import Record, render, text_width, write_text
from kamcore._vocab import words
from kamcore.calendar import ANNUAL_ARCHIVING, QUARTERLY_ARCHIVING, Period, PeriodKind
from kamcore.money import Money, total
from kamcore.report import build_report, can_draw, read_demo_folder
from kamcore.sample import SampleCompany, generate_company

__all__ = ["run_demo"]

#: One summary line: its English label and its value.
_Line = tuple[str, str]

#: The summary's labels in Chinese, by English label (``[demo]`` in _words.toml).
_ZH_LABELS: Final = dict(words("demo").values())

_LABEL_WIDTH: Final = 20

#: The summary's note when report.html is not written (en, zh).
_SKIPPED_HTML: Final = (
    "report.html skipped: its charts need matplotlib (pip install 'kamcore[plot]')",
    "未生成 report.html：图表需要 matplotlib（pip install 'kamcore[plot]'）",
)


def _show(label: str, value: str, lang: str) -> str:
    """A summary line: the label (in ``lang``) padded to a fixed display width."""
    text = _ZH_LABELS.get(label, label) if lang == "zh" else label
    return text + " " * max(1, _LABEL_WIDTH - text_width(text)) + value


def _pct(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "n/a"
    return f"{(part / whole * 100).quantize(Decimal('0.1'))}%"


class _Report:
    """Collects summary lines, Markdown sections and files for one demo run."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.lines: list[str] = []
        self.markdown: list[str] = []
        self.files: list[str] = []
        self.summary: dict[str, object] = {}

    def write(self, name: str, records: Sequence[Record], fmt: str = "csv") -> None:
        (self.out / name).write_text(render(records, fmt), encoding="utf-8")
        self.files.append(name)

    def section(self, title: str, records: Sequence[Record], note: str = "") -> None:
        self.markdown.append(f"## {title}\n")
        if note:
            self.markdown.append(note + "\n")
        self.markdown.append("```\n" + render(records, "table") + "```\n")


def _trailing_year(company: SampleCompany) -> Period:
    end = company.as_of
    return Period(end - timedelta(days=365), end)


def _book(company: SampleCompany, report: _Report) -> list[dict[str, Any]]:
    rows = [dict(r) for r in company.account_book()]
    report.write("accounts.csv", rows)
    return rows


def _pareto_line(rows: Sequence[dict[str, Any]]) -> tuple[int, str]:
    revenues: list[Decimal] = sorted((r["sales_revenue"] for r in rows), reverse=True)
    grand = sum(revenues, Decimal(0))
    top = max(1, len(revenues) // 5)
    share = sum(revenues[:top], Decimal(0))
    return top, _pct(share, grand)


def _approved_request(
    request_id: str, *, account: str, amount: Money, owner: str, on: date, purpose: str
) -> Any:
    """A rebate request applied for in advance and run through the source's chain."""
    from kamcore.rebate import DEFAULT_CHAIN, approve, submit  # noqa: PLC0415

    deciders = {
        "ka_manager": "大客户部经理",
        "marketing_centre": "营销中心",
        "general_manager": "总经理",
    }
    day = on.isoformat()
    request, _ = submit(
        id=request_id,
        account=account,
        amount=amount,
        by=owner,
        at=f"{day}T09:00+08:00",
        purpose=purpose,
    )
    for hour, step in zip((10, 14, 16), DEFAULT_CHAIN.steps, strict=False):
        by = deciders.get(step.key, step.zh or step.key)
        request, _ = approve(request, step.key, by=by, at=f"{day}T{hour}:00+08:00")
    return request


def _ledger(company: SampleCompany, acc_id: str, owner: str, schedule: Any) -> dict[str, Any]:
    """One account's rebate ledger for the trailing year, settled three times.

    Invoices and collections are entered as one statement a quarter (dated on the
    quarter's last day).
    Settlement no. 1 is at mid-period, no. 2 at the period's end; the year-end
    reconciliation then credits the year's quality claims (a credit note and a refund,
    on the period's last day), and no. 3, at close, claws back what they took off the
    entitlement. Every payment is settled against a rebate request approved in advance
    through the source's chain; when the entitlement outgrows the approved amount, the
    account manager applies again for the entitlement to date.
    """
    from kamcore.rebate import AccrualKind, RebateLedger, accrue, close_ledger, settle  # noqa: PLC0415

    year = _trailing_year(company)
    months = [m for m in company.months_of(acc_id) if m.period.start in year]
    ledger = RebateLedger(account=acc_id, period=year, schedule=schedule)
    requests: list[Any] = []
    lines: list[Any] = []

    def settle_now(on: date) -> None:
        nonlocal ledger
        due = ledger.entitlement().rebate
        if due.amount > 0 and (not requests or due > requests[-1].amount):
            n = len(requests) + 1
            requests.append(
                _approved_request(
                    f"R-{acc_id}-{n}",
                    account=acc_id,
                    amount=due,
                    owner=owner,
                    on=on,
                    purpose=f"{year} rebate, application {n}",
                )
            )
        ledger, _ = settle(ledger, on=on, by="财务部", approval=requests[-1] if requests else None)
        lines.append(ledger.settlements[-1])

    # one statement (对账单) a quarter: its months' invoices and collections, dated on
    # the quarter's last day
    quarters = [months[k : k + 3] for k in range(0, len(months), 3)]
    for k, quarter in enumerate(quarters):
        on = quarter[-1].period.last_day
        label = f"{quarter[0].period}..{quarter[-1].period}"
        invoiced = total((m.invoiced for m in quarter), schedule.currency)
        collected = total((m.collected for m in quarter), schedule.currency)
        ledger, _ = accrue(ledger, AccrualKind.INVOICE, invoiced, on=on, ref=f"INV {label}")
        ledger, _ = accrue(ledger, AccrualKind.COLLECTION, collected, on=on, ref=f"RC {label}")
        if k + 1 == len(quarters) // 2:
            settle_now(on)  # no. 1, mid-period
    settle_now(year.last_day)  # period end
    claims = total((m.quality_losses for m in months), schedule.currency)
    if claims.amount > 0:
        credit = min(claims, ledger.invoiced)
        refund = min(claims, ledger.collected)
        day = year.last_day
        ledger, _ = accrue(ledger, AccrualKind.INVOICE, -credit, on=day, ref="CN-quality")
        ledger, _ = accrue(ledger, AccrualKind.COLLECTION, -refund, on=day, ref="RF-quality")
    settle_now(company.as_of)  # at close: the true-up after the year-end reconciliation
    ledger, _ = close_ledger(ledger, on=company.as_of, by="财务部")
    zero = Money.zero(schedule.currency)
    return {
        "invoiced": ledger.invoiced,
        "claims": claims,
        "entitlement": ledger.entitlement().rebate,
        "paid_mid": lines[0].amount if len(lines) > 2 else zero,
        "paid_end": lines[-2].amount,
        "clawback": -lines[-1].amount if lines[-1].amount.amount < 0 else zero,
        "at_close": lines[-1].amount,
        "settled": ledger.paid,
        "requests": len(requests),
        "settlements": len(lines),
    }


def _rebates(
    company: SampleCompany, rows: Sequence[dict[str, Any]], report: _Report
) -> list[_Line]:
    from kamcore.presets import load_preset  # noqa: PLC0415 - presets sit above the domain
    from kamcore.rebate import TierSchedule, quote, quote_many  # noqa: PLC0415

    schedule = load_preset("rebate_source", TierSchedule)
    rebates = quote_many(
        schedule, [r["sales_revenue"] for r in rows], [r["collected"] for r in rows]
    )
    out: list[dict[str, Any]] = []
    near_cliff = 0
    for row, rebate in zip(rows, rebates, strict=True):
        q = quote(schedule, basis=row["sales_revenue"], base=row["collected"])
        near_cliff += q.near_next_tier
        book = _ledger(company, row["id"], row["owner"], schedule)
        out.append(
            {
                "id": row["id"],
                "sales": row["sales_revenue"],
                "collected": row["collected"],
                "tier": q.reached.name,
                "rate": q.rate.value,
                "rebate": rebate.amount,
                "to_next_tier": None if q.to_next is None else q.to_next.amount,
                "gain_at_next_tier": None if q.gain_at_next is None else q.gain_at_next.amount,
                "invoiced": book["invoiced"].amount,
                "quality_claims": book["claims"].amount,
                "entitlement": book["entitlement"].amount,
                "paid_mid_period": book["paid_mid"].amount,
                "paid_period_end": book["paid_end"].amount,
                "clawback_at_close": book["clawback"].amount,
                "settled": book["settled"].amount,
                "requests_approved": book["requests"],
            }
        )
    report.write("rebates.csv", out)
    paid = total(Money(r["rebate"]) for r in out)
    settled = total(Money(r["settled"]) for r in out)
    mid = total(Money(r["paid_mid_period"]) for r in out)
    end = total(Money(r["paid_period_end"]) for r in out)
    clawed = [r for r in out if r["clawback_at_close"]]
    clawback = total(Money(r["clawback_at_close"]) for r in out)
    requests = sum(r["requests_approved"] for r in out)
    tiers = Counter(r["tier"] for r in out)
    report.summary["rebates_total"] = str(paid.amount)
    report.summary["rebates_settled"] = {
        "mid_period": str(mid.amount),
        "period_end": str(end.amount),
        "clawback_at_close": str(clawback.amount),
        "accounts_clawed_back": len(clawed),
        "total": str(settled.amount),
        "requests_approved": requests,
    }
    report.section(
        "Rebates (销售返点, source schedule: tier by sales, rate on collections)",
        [
            {k: r[k] for k in ("id", "sales", "collected", "tier", "rate", "rebate")}
            for r in sorted(out, key=lambda r: r["rebate"], reverse=True)[:10]
        ],
    )
    report.section(
        "Rebate settlements (返点结算, true-up 多退少补)",
        [
            {
                k: r[k]
                for k in (
                    "id",
                    "invoiced",
                    "entitlement",
                    "paid_mid_period",
                    "paid_period_end",
                    "clawback_at_close",
                    "settled",
                )
            }
            for r in sorted(out, key=lambda r: r["settled"], reverse=True)[:10]
        ],
        "Each account's ledger for the last 12 months: invoices (the tier basis) and "
        "collections (the rebate base) entered as one statement a quarter; settled at "
        "mid-period, at the "
        "period's end and, after the year-end quality claims (credit note and refund), "
        "at close, where what the claims took off the entitlement is clawed back. Every "
        f"payment is settled against a request approved by the source's chain ({requests} "
        "requests). The ledger's tier basis is invoiced sales, so its entitlement can "
        "differ from the quote on revenue above.",
    )
    return [
        (
            "Rebates (返点)",
            f"{paid!s:>20}   " + ", ".join(f"{k}: {v}" for k, v in sorted(tiers.items())),
        ),
        (
            "Near a tier cliff",
            f"{near_cliff:>8}   accounts within {schedule.near} of the next tier",
        ),
        ("Rebates settled", f"{settled!s:>20}   {requests} requests approved, 3 settlements each"),
        (
            "Clawed back (追回)",
            f"{clawback!s:>20}   {len(clawed)} accounts, year-end quality claims",
        ),
    ]


def _scorecards(
    company: SampleCompany, rows: Sequence[dict[str, Any]], report: _Report, seed: int
) -> list[_Line]:
    import random  # noqa: PLC0415

    from kamcore.presets import load_preset  # noqa: PLC0415
    from kamcore.rebate import (  # noqa: PLC0415
        AttainmentRule,
        AttendanceRule,
        PlanRule,
        ScorecardPolicy,
        Target,
        assess_attainment,
        assess_attendance,
        plan_for,
        score_salesperson,
    )

    attainment = load_preset("rebate_attainment_source", AttainmentRule)
    attendance = load_preset("rebate_attendance_source", AttendanceRule)
    policy = load_preset("rebate_scorecard_default", ScorecardPolicy)
    year = _trailing_year(company)
    before = year.previous()
    owner_of = {a.id: a.owner for a in company.accounts}
    actual: defaultdict[str, Decimal] = defaultdict(Decimal)
    prior: defaultdict[str, Decimal] = defaultdict(Decimal)
    for m in company.months:
        if m.period.start in year:
            actual[owner_of[m.account_id]] += m.revenue.amount
        elif m.period.start in before:
            prior[owner_of[m.account_id]] += m.revenue.amount
    rng = random.Random(seed + 1)
    out: list[dict[str, Any]] = []
    explained: list[str] = []
    # The plan rule (preset rebate_plan_default): last year's revenue plus 10%, to the
    # nearest 10,000, at least 10,000; a salesperson with no revenue last year has no
    # basis for a plan and is not scored (a small company may leave some without accounts).
    rule = load_preset("rebate_plan_default", PlanRule)
    plans = {p: plan_for(rule, Money(prior[p])) for p in company.salespeople}
    unplanned = [p for p, plan in plans.items() if plan is None]
    for person in company.salespeople:
        plan = plans[person]
        if plan is None:
            continue
        components = [
            assess_attainment(attainment, actual=Money(actual[person]), target=Target(normal=plan)),
            assess_attendance(
                attendance, days_short=rng.randint(0, 3), times_late=rng.randint(0, 5)
            ),
        ]
        card = score_salesperson(policy, salesperson=person, period=year, components=components)
        explained.extend([f"### {person}", "```", *card.explain(), "```", ""])
        out.append(
            {
                "salesperson": person,
                "plan": plan.amount,
                "actual": actual[person],
                "attainment": components[0].score,
                "attendance": components[1].score,
                "score": card.total,
            }
        )
    report.write("salespeople.csv", out)
    skipped = (
        f"Not scored (no revenue in the prior year, so no plan): {', '.join(unplanned)}\n\n"
        if unplanned
        else ""
    )
    report.section("Salesperson scorecards (绩效考核)", out, skipped + "\n".join(explained))
    report.summary["salespeople_scored"] = len(out)
    report.summary["salespeople_not_scored"] = unplanned
    lines: list[_Line] = []
    if out:
        best = max(out, key=lambda r: r["score"])
        lines.append(
            (
                "Best salesperson",
                f"{best['salesperson']} scored {best['score']} (plan +10% on last year)",
            )
        )
    if unplanned:
        lines.append(
            ("Not scored", f"{len(unplanned):>8}   salespeople without prior-year revenue")
        )
    return lines


def _pipeline(company: SampleCompany, report: _Report) -> list[_Line]:
    from kamcore.pipeline import (  # noqa: PLC0415
        ForecastCategory,
        Playbook,
        find_stale,
        forecast,
        import_opportunity,
        weighted_pipeline,
    )
    from kamcore.presets import load_preset  # noqa: PLC0415

    playbook = load_preset("pipeline_project_sales", Playbook)
    open_rows: list[dict[str, Any]] = []
    opps = []
    for o in company.opportunities:
        if o.outcome != "open":
            continue
        stage, entered = o.stages[-1]
        expected = entered + timedelta(days=90)
        open_rows.append(
            {
                "id": o.id,
                "account": o.account_id,
                "owner": o.owner,
                "amount": o.amount.amount,
                "stage": stage,
                "opened": o.opened,
                "stage_entered": entered,
                "expected_close": expected,
            }
        )
        opps.append(
            import_opportunity(
                playbook,
                id=o.id,
                account=o.account_id,
                amount=o.amount,
                owner=o.owner,
                on=o.opened,
                stage=stage,
                stage_entered_on=entered,
                expected_close=expected,
            )
        )
    report.write("opportunities.csv", open_rows)
    result = forecast(playbook, opps)
    rows = [
        {
            "category": r.category.value,
            "count": r.count,
            "amount": r.amount.amount,
            "cumulative": r.cumulative.amount,
        }
        for r in result.rows
    ]
    report.write("forecast.csv", rows)
    weighted = weighted_pipeline(playbook, opps, by=("owner",))
    by_owner = [
        {
            "owner": w.owner,
            "count": w.count,
            "amount": w.amount.amount,
            "weighted": w.weighted.amount,
        }
        for w in weighted
    ]
    report.section("Forecast by category (cumulative roll-ups)", rows)
    report.section("Weighted pipeline by owner (Σ amount × stage probability)", by_owner)
    late = find_stale(playbook, opps, as_of=company.as_of)
    commit = result.row(ForecastCategory.COMMIT)
    total_weighted = total(w.weighted for w in weighted)
    report.summary["weighted_pipeline"] = str(total_weighted.amount)
    return [
        ("Open pipeline", f"{total(o.amount for o in opps)!s:>20}   {len(opps)} open"),
        ("Weighted pipeline", f"{total_weighted!s:>20}   commit {commit.cumulative}"),
        ("Stale opportunities", f"{len(late):>8}   over their stage's day limit"),
    ]


def _grading(rows: Sequence[dict[str, Any]], report: _Report) -> tuple[dict[str, str], list[_Line]]:
    """Grade the book with the default presets, exactly as ``kamcore grade`` does.

    The default scorecard scores the size criteria by percentile within the book (fitted
    on it), the letter ladder grades and the 80%/95% Pareto policy classifies: so
    ``kamcore grade accounts.csv`` on the file written here gives ``grades.csv`` again.
    """
    from kamcore.grading import (  # noqa: PLC0415
        FIGURES,
        AbcPolicy,
        AccountFacts,
        GradeLadder,
        GradePolicy,
        WeightedScorecard,
        choose_treatment,
        grade_many,
    )
    from kamcore.presets import load_preset  # noqa: PLC0415

    model = load_preset("grading_scorecard", WeightedScorecard)
    ladder = load_preset("grading_letters", GradeLadder)
    abc = load_preset("grading_abc", AbcPolicy)
    facts = [AccountFacts(r["id"], **{f: r[f] for f in FIGURES}) for r in rows]
    batch = grade_many(model, ladder, facts, abc=abc)
    labels = batch.abc.as_dict() if batch.abc is not None else {}
    out: list[dict[str, Any]] = [
        {
            "account_id": g.account_id,
            "score": g.score.total,
            "grade": g.grade,
            "abc": labels.get(g.account_id),
        }
        for g in batch.graded
    ]
    grades = {r["account_id"]: r["grade"] for r in out}
    report.write("grades.csv", out)
    counts = Counter(grades.values())
    abc_counts = Counter(r["abc"] for r in out)
    service = choose_treatment(load_preset("grading_policy", GradePolicy), "A")
    report.section(
        "Grades (default scorecard, sizes by percentile within the book; letter ladder)",
        sorted(out, key=lambda r: r["score"], reverse=True)[:10],
    )
    report.summary["grades"] = dict(sorted(counts.items()))
    return grades, [
        ("Grades (A–D)", ", ".join(f"{g} {counts.get(g, 0)}" for g in "ABCD")),
        ("ABC (80%/95%)", ", ".join(f"{k} {v}" for k, v in sorted(abc_counts.items()))),
        ("A-grade service", service.service_plan),
    ]


def _archive(  # noqa: PLR0915 - the archive's story, told in order
    company: SampleCompany, grades: dict[str, str], report: _Report, seed: int
) -> list[_Line]:
    import random  # noqa: PLC0415
    from datetime import datetime, timezone  # noqa: PLC0415

    from kamcore.archive import (  # noqa: PLC0415
        SOURCE_LENDING_POLICY,
        SOURCE_REVIEW_POLICY,
        SOURCE_VISIT_POLICY,
        Approval,
        BasicData,
        Borrower,
        Business,
        BuyingRole,
        Contact,
        Dossier,
        GradeFiling,
        Role,
        create,
        lend,
        overdue_reviews,
        plan_visits,
        return_loan,
        review,
        revise,
    )
    from kamcore.presets import load_preset  # noqa: PLC0415
    from kamcore.store import SQLiteRepository  # noqa: PLC0415

    rng = random.Random(seed + 2)
    cst = timezone(timedelta(hours=8))
    path = report.out / "archive.db"
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    start = datetime.combine(company.as_of - timedelta(days=330), datetime.min.time(), cst)
    revisions = []
    reviews = []
    dossiers = []
    filing = load_preset("archive_filing_default", GradeFiling)
    for acc in company.accounts:
        grade = grades[acc.id]
        months = company.months_of(acc.id)
        draft = Dossier(
            id=acc.id,
            name=acc.name,
            classification=filing.classification_of(grade),
            confidentiality=filing.confidentiality_of(grade),
            grade=grade,
            basic=BasicData(
                region=acc.region,
                registered_capital=Money(int(acc.size * 1_000_000)).round(places=-4),
                payment_terms="月结30天",
            ),
            business=Business(transaction_volume=months[-13].revenue if len(months) > 12 else None),
            contacts=(
                Contact(id="eb", name="总经理", buying_role=BuyingRole.ECONOMIC_BUYER),
                *(
                    (Contact(id="coach", name="采购主管", buying_role=BuyingRole.COACH),)
                    if rng.random() < 0.6
                    else ()
                ),
            ),
        )
        at = start + timedelta(hours=rng.randrange(0, 24 * 20))
        dossier, first = create(draft, by=acc.owner, at=at)
        revisions.append(first)
        if rng.random() < 0.3:
            at += timedelta(days=rng.randrange(30, 200))
            dossier, change = revise(
                dossier,
                {"basic.payment_terms": "月结60天"},
                by=acc.owner,
                at=at,
                reason="客户申请延长账期，经营销中心批准",
            )
            revisions.append(change)
        if months and len(months) > 1:
            at += timedelta(days=rng.randrange(1, 20))
            dossier, change = revise(
                dossier,
                {"business.transaction_volume": months[-1].revenue * 12},
                by=acc.owner,
                at=at,
                reason="年化交易额按最近一月更新",
            )
            revisions.append(change)
        checked_on = company.as_of - timedelta(days=rng.randrange(10, 120))
        reviews.append(review(dossier, on=checked_on, by="大客户部经理"))
        dossiers.append(dossier)
    with SQLiteRepository(path) as store:
        store.add_all(revisions)
        for r in reviews:
            store.record_review(r)
        gm = Approval(by="总经理", role=Role.GENERAL_MANAGER)
        lent_at = datetime.combine(company.as_of - timedelta(days=1), datetime.min.time(), cst)
        a_dossiers = [d for d in dossiers if d.grade == "A"][:3]
        for i, d in enumerate(a_dossiers):
            loan, _ = lend(
                SOURCE_LENDING_POLICY,
                d,
                Borrower("销售经理", Role.DEPARTMENT_MANAGER),
                at=lent_at + timedelta(hours=9 + i),
                hours=4,
                loan_id=f"L-{i + 1:03d}",
                approval=gm,
                purpose="投标准备",
            )
            store.record_loan(loan)
            if i < 2:  # the first two came back in time
                store.record_loan(return_loan(loan, at=loan.lent_at + timedelta(hours=3))[0])
        stored = store.keys()
        intact = all(store.verify(k).ok for k in stored)
        late = overdue_reviews(SOURCE_REVIEW_POLICY, dossiers, store.reviews(), as_of=company.as_of)
        loans = store.loans()
    report.files.append("archive.db")
    as_of_dt = datetime.combine(company.as_of, datetime.min.time(), cst)
    overdue_loans = [loan for loan in loans if loan.is_overdue(as_of_dt)]
    plan = plan_visits(
        SOURCE_VISIT_POLICY, dossiers, year=company.as_of.year, month=company.as_of.month
    )
    report.section(
        "Archive: reviews overdue (两个月全面检查)",
        [{"dossier": o.dossier_id, "last_review": o.last_review, "due": o.due} for o in late[:15]],
    )
    report.summary["archive"] = {
        "dossiers": len(dossiers),
        "revisions": len(revisions),
        "chain_intact": intact,
        "reviews_overdue": len(late),
    }
    chain = "intact" if intact else "BROKEN"
    out_now = sum(1 for loan in loans if loan.returned_at is None)
    stored_line = f"{len(dossiers):>8}   dossiers, {len(revisions)} revisions, hash chain {chain}"
    loan_line = f"{len(loans):>8}   {out_now} still out, {len(overdue_loans)} overdue"
    return [
        ("Archive (档案)", stored_line),
        ("Reviews overdue", f"{len(late):>8}   (full review every two months)"),
        ("Loans (借阅)", f"{loan_line} (秘密: GM approval, 4 hours)"),
        ("Visit plan", f"{len(plan.visits):>8}   visits this month, A and B accounts first"),
    ]


def run_demo(
    *,
    out: Path,
    seed: int = 2026,
    accounts: int = 300,
    as_of: date = date(2026, 11, 1),
    progress: Callable[[str], None] = lambda _: None,
    lang: str = "en",
) -> str:
    """Run the demo and write its reports into ``out``; return the on-screen summary.

    Args:
        out: The report folder (created if missing).
        seed: The sample company's seed.
        accounts: How many accounts the sample company has.
        as_of: The demo's "today": the first day after the sample's last month.
        progress: Called with a short message before each long step.
        lang: ``"en"`` or ``"zh"``: the language of the summary's labels (the reports'
            column names are the same keys in both).

    Returns:
        The one-screen summary text.
    """
    out.mkdir(parents=True, exist_ok=True)
    report = _Report(out)
    progress(f"generating a sample company of {accounts} accounts (seed {seed})")
    company = generate_company(seed=seed, accounts=accounts, end=as_of)

    progress("summarising the account book")
    rows = _book(company, report)
    progress("grading and classifying the accounts")
    grades, grade_lines = _grading(rows, report)
    grand = total(Money(r["sales_revenue"]) for r in rows)
    collected = total(Money(r["collected"]) for r in rows)
    invoiced = total(Money(r["invoiced"]) for r in rows)
    top, top_share = _pareto_line(rows)

    outcomes = Counter(o.outcome for o in company.opportunities)
    progress("forecasting the pipeline")
    pipeline_lines = _pipeline(company, report)

    progress("quoting and settling rebates, scoring salespeople")
    rebate_lines = _rebates(company, rows, report)
    score_lines = _scorecards(company, rows, report, seed)

    progress("storing dossiers in the SQLite archive")
    archive_lines = _archive(company, grades, report, seed)

    next_quarterly = QUARTERLY_ARCHIVING.next_due(as_of)
    next_annual = ANNUAL_ARCHIVING.next_due(as_of)
    this_month = Period.containing(as_of, PeriodKind.MONTH)
    ten_days = ", ".join(
        p.zh_label[-2:] + f" {p.start:%m-%d}" for p in this_month.split(PeriodKind.TEN_DAY)
    )

    rows_shown: list[_Line] = [
        ("Accounts", f"{len(company.accounts):>8}   salespeople {len(company.salespeople)}"),
        ("Revenue, last 12 mo", f"{grand.round()!s:>20}"),
        ("Collection rate", f"{_pct(collected.amount, invoiced.amount):>8}   (of invoiced)"),
        ("Pareto (二八法则)", f"top {top} accounts carry {top_share} of revenue"),
        *grade_lines,
        (
            "Opportunities",
            f"{len(company.opportunities):>8}   "
            + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
        ),
        *pipeline_lines,
        *rebate_lines,
        *score_lines,
        *archive_lines,
        ("Archiving due", f"quarterly {next_quarterly}, annual {next_annual}"),
        ("This month's 旬", ten_days),
    ]
    title = (
        f"kamcore 演示 — 示例公司（种子 {seed}），截至 {as_of.isoformat()}"
        if lang == "zh"
        else f"kamcore demo — sample company (seed {seed}), as of {as_of.isoformat()}"
    )
    lines = [title, "", *(_show(label, value, lang) for label, value in rows_shown)]
    report.summary.update(
        {
            "seed": seed,
            "as_of": as_of.isoformat(),
            "accounts": len(company.accounts),
            "revenue_last_12_months": str(grand.round().amount),
            "collection_rate": _pct(collected.amount, invoiced.amount),
            "opportunities": dict(sorted(outcomes.items())),
        }
    )
    report.section(
        "Account book (last 12 months, top 10 by revenue)",
        sorted(rows, key=lambda r: r["sales_revenue"], reverse=True)[:10],
    )

    (out / "summary.json").write_text(
        json.dumps(report.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    report.files.append("summary.json")
    md = ["# kamcore demo report\n", "```\n" + "\n".join(lines) + "\n```\n", *report.markdown]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    report.files.append("report.md")
    if can_draw():  # the charts need matplotlib, the optional plot extra
        progress("drawing the HTML report")
        write_text(out / "report.html", build_report(read_demo_folder(out), lang=lang))
        report.files.append("report.html")
    else:
        lines += ["", _SKIPPED_HTML[lang == "zh"]]
    written = "报告已写入" if lang == "zh" else "Reports written to"
    lines += ["", f"{written} {out}/: {', '.join(sorted(report.files))}"]
    return "\n".join(lines) + "\n"
