"""The seeded demo portfolio: Dutch maintenance contracts with realistic work, as exchange-format rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from budgetcore import clock
from budgetcore.exchange.formats import COLUMNS, ENTITIES, SourceTable, open_csv
from budgetcore.exchange.importing import ImportResult, import_tables
from budgetcore.store import access, lifecycle, portfolio_reads, writes
from budgetcore.store.access import Actor
from budgetcore.store.database import get_meta, set_meta, transaction

log = logging.getLogger(__name__)

SEED = 20261127
HEADERS = {entity: [c.name for c in COLUMNS[entity]] for entity in ENTITIES}

_COMPANIES = (
    "Gemeente {city}",
    "Woonstichting {city}",
    "Zorggroep {city}",
    "Ziekenhuis {city}",
    "Hotel {name}",
    "{name} Vastgoed B.V.",
    "{name} Beheer B.V.",
    "Scholengroep {city}",
    "{name} Logistiek B.V.",
    "Winkelcentrum {city}",
    "{name} & Zn. Bouw",
    "Sportcentrum {city}",
)
_NAMES = (
    "De Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De Boer",
    "Mulder",
    "De Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Van Leeuwen",
    "Dekker",
    "Brouwer",
    "De Wit",
    "Dijkstra",
    "Smits",
    "De Graaf",
    "Van der Meer",
    "Van den Berg",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "Van Dijk",
)
_CITIES = (
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Den Haag",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Apeldoorn",
    "Haarlem",
    "Arnhem",
    "Zaanstad",
    "Amersfoort",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Dordrecht",
    "Delft",
    "Alkmaar",
    "Deventer",
    "Venlo",
)
_MANAGERS = ("Anouk de Jong", "Bram Willems", "Sanne Kuipers", "Joost van Dam", "Fleur Maas", "Ruben Post")
_TECHNICIANS = (
    "Daan",
    "Sem",
    "Lucas",
    "Milan",
    "Levi",
    "Finn",
    "Thijs",
    "Jesse",
    "Noah",
    "Lars",
    "Tim",
    "Stijn",
    "Ruben",
    "Bas",
    "Koen",
    "Niels",
    "Emma",
    "Lotte",
)
_SUBJECTS = (
    ("cv-installaties", "Onderhoud cv-installaties"),
    ("koeling", "Onderhoud koelinstallaties"),
    ("brandmelders", "Inspectie brandmeldinstallatie"),
    ("liften", "Onderhoud liften"),
    ("luchtbehandeling", "Onderhoud luchtbehandeling"),
    ("sprinklers", "Inspectie sprinklerinstallatie"),
    ("warmtepompen", "Onderhoud warmtepompen"),
    ("toegang", "Onderhoud toegangscontrole"),
)
_ARTICLES = (
    ("FLT-G4-592", "Filter G4 592x592", Decimal("8.40")),
    ("FLT-F7-592", "Zakkenfilter F7 592x592", Decimal("24.90")),
    ("R32-9KG", "Koudemiddel R32 9 kg", Decimal("186.00")),
    ("RM-OPT-200", "Optische rookmelder", Decimal("38.50")),
    ("BM-HDM-12", "Handbrandmelder", Decimal("52.75")),
    ("ACCU-12V7", "Accu 12V 7Ah", Decimal("21.30")),
    ("KLEP-DN25", "Terugslagklep DN25", Decimal("17.95")),
    ("PMP-GRU-25", "Circulatiepomp 25-60", Decimal("289.00")),
    ("EXP-VAT-18", "Expansievat 18 l", Decimal("64.20")),
    ("THERM-SLIM", "Slimme thermostaat", Decimal("149.00")),
    ("SNAAR-A42", "V-snaar A42", Decimal("11.60")),
    ("LIFT-KBL", "Liftkabel per meter", Decimal("32.40")),
    ("SPR-K80", "Sprinklerkop K80", Decimal("27.80")),
    ("KLEIN-MAT", "Klein materiaal", Decimal("4.95")),
)
_HOUR_TYPES = (("work", 0.78), ("travel", 0.17), ("overtime", 0.05))

Sink = Callable[[str, list[str]], None]


def _d(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def _money(value: float | Decimal) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


NOTICE_SOON, NOTICE_DAYS = 2, 8  # contracts whose notice deadline falls NOTICE_DAYS after today
_INDEXATION = ("", "", "", "3.1", "", "", "", "2.5")  # a contract's own yearly indexation (%), by sequence


class _Generator:
    def __init__(
        self, rng: random.Random, today: dt.date, sink: Sink, meerwerk: _Generator | None = None
    ) -> None:
        self.rng, self.today, self.sink = rng, today, sink
        self.work_order_seq = 0
        self.notice_soon = 0
        self.meerwerk = meerwerk  # the generator of the work billed on top (its own stream), if any

    def extra_work(
        self, number: str, first: dt.date, last: dt.date, calls_per_year: float, creep: bool,
        cost: float, labour_share: float, rate: float,
    ) -> None:  # fmt: skip
        """Meerwerk (type extra, billed on top at sales rates) on contract number from first
        through last: a Poisson process at MEERWERK x the contract type's call rate, or at
        CREEP x it for a contract with scope creep; each order costs about what a call does."""
        rng = self.rng
        yearly = calls_per_year * (CREEP if creep else MEERWERK)
        day = first
        while yearly:
            day += dt.timedelta(days=max(1, int(rng.expovariate(yearly / 365))))
            if day > last:
                break
            self.work_order(number, day, "extra", cost * rng.uniform(0.85, 1.15), labour_share, rate)

    def customers(self, count: int) -> list[tuple[str, str, str]]:
        rng, seen, result = self.rng, set(), []
        while len(result) < count:
            city = rng.choice(_CITIES)
            name = rng.choice(_COMPANIES).format(city=city, name=rng.choice(_NAMES))
            if name in seen:
                name = f"{name} ({len(result) + 1})" if len(seen) > 200 else name
                if name in seen:
                    continue
            seen.add(name)
            result.append((name, f"K{10000 + len(result)}", city))
        return result

    def contract(self, seq: int, customer: tuple[str, str, str], pressure: float) -> None:
        rng, today = self.rng, self.today
        kind = rng.choices(("preventive", "corrective", "yearly_orders"), (0.6, 0.2, 0.2))[0]
        years = rng.choices((1, 2, 3, 5), (0.5, 0.2, 0.25, 0.05))[0]
        # ends spread from half a year ago to three years ahead, most on a month boundary
        end_hint = today + dt.timedelta(days=rng.randint(-180, 365 * min(years, 3)))
        start = dt.date(end_hint.year - years, end_hint.month, 1)
        if rng.random() < 0.15:
            start += dt.timedelta(days=rng.randint(1, 27))
        end = _add_years(start, years) - dt.timedelta(days=1)
        term_days = (end - start).days + 1
        number = f"CT-{start.year}-{seq:05d}"
        annual = math.exp(rng.uniform(math.log(2500), math.log(90000)))
        budget_total = annual * years
        visits_per_year = {"preventive": rng.choice((2, 4, 6, 12)), "corrective": 0, "yearly_orders": 2}[kind]
        planned_visits = visits_per_year * years or None
        _subject, title = rng.choice(_SUBJECTS)
        has_budget = rng.random() > 0.08
        value = budget_total * rng.uniform(1.10, 1.22) if rng.random() > 0.05 else None
        terminated = None
        if end < today + dt.timedelta(days=200) and rng.random() < 0.06:
            terminated = end - dt.timedelta(days=rng.randint(60, 120))
        notice = rng.choice((30, 60, 90, 90, 180))
        # issue 20: the first NOTICE_SOON contracts that can have their notice deadline NOTICE_DAYS
        # ahead get it, so that "what needs attention" has its most urgent reason on any day
        if (
            self.notice_soon < NOTICE_SOON
            and terminated is None
            and 0 < (end - today).days - NOTICE_DAYS <= 180
        ):
            notice = (end - today).days - NOTICE_DAYS
            self.notice_soon += 1
        self.sink("contracts", [
            number, customer[0], customer[1], customer[2], f"{title} {customer[2]}", kind,
            _d(start), _d(end), str(notice),
            rng.choice(("true", "true", "false")), "12" if years == 1 else str(12 * years),
            "" if value is None else _money(value), "" if planned_visits is None else str(planned_visits),
            rng.choice(_MANAGERS), _d(terminated), "",  # no previous_contract
            _INDEXATION[seq % len(_INDEXATION)],  # indexation_pct: most contracts follow the setting
        ])  # fmt: skip
        labour_share = rng.uniform(0.55, 0.75)
        other_share = rng.choice((0.0, 0.0, 0.05, 0.08))
        rate = rng.choice((48.5, 52.0, 55.5, 58.0, 61.5))
        if has_budget:
            shares = {
                "labour": labour_share,
                "material": 1 - labour_share - other_share,
                "other": other_share,
            }
            phased = years > 1 and rng.random() < 0.5
            periods = (
                [
                    (_add_years(start, y), _add_years(start, y + 1) - dt.timedelta(days=1))
                    for y in range(years)
                ]
                if phased
                else [(None, None)]
            )
            for category, share in shares.items():
                if share == 0:
                    continue
                for p_start, p_end in periods:
                    amount = budget_total * share / len(periods)
                    if phased:  # later years are indexed for wage and price rises
                        amount *= 1.03 ** ((p_start - start).days // 365)
                    hours = f"{amount / rate:.1f}" if category == "labour" else ""
                    self.sink("budgets", [number, category, _money(amount), hours, _d(p_start), _d(p_end)])
        # the work: periodic visits on plan, corrective calls at random, cost scaled by pressure
        horizon = min(today, end)
        events: list[tuple[dt.date, str]] = []
        if planned_visits:
            step = term_days / planned_visits
            events += [
                (start + dt.timedelta(days=int(step * (i + 0.5))), "periodic") for i in range(planned_visits)
            ]
        calls_per_year = {"preventive": 2.0, "corrective": 9.0, "yearly_orders": 5.0}[kind]
        day = start
        while True:
            day += dt.timedelta(days=max(1, int(rng.expovariate(calls_per_year / 365))))
            if day > end:
                break
            rng.random()  # the draw that once chose corrective or extra: kept, so the stream stays as it was
            events.append((day, "corrective"))
        events = sorted(e for e in events if e[0] <= horizon)
        expected_events = (planned_visits or 0) + calls_per_year * years
        per_event = budget_total / max(expected_events, 1) * pressure
        for date, wo_type in events:
            self.work_order(number, date, wo_type, per_event * rng.uniform(0.85, 1.15), labour_share, rate)
        if self.meerwerk is not None:  # on top of the covered work, from a stream of its own
            creep = seq % SCOPE_CREEP == SCOPE_CREEP // 2
            self.meerwerk.extra_work(
                number, start, horizon, calls_per_year, creep, per_event, labour_share, rate
            )
        if events and rng.random() < 0.03:  # a booking outside the term, as real data has
            self.work_order(number, end + dt.timedelta(days=rng.randint(1, 20)), "corrective",
                            per_event, labour_share, rate)  # fmt: skip

    def work_order(
        self, contract: str, date: dt.date, wo_type: str, cost: float, labour_share: float, rate: float
    ) -> None:
        rng = self.rng
        if date > self.today:
            return
        self.work_order_seq += 1
        number = f"WB{date.year % 100:02d}{self.work_order_seq:07d}"
        status = (
            "gereed" if date < self.today - dt.timedelta(days=14) else rng.choice(("gereed", "in uitvoering"))
        )
        description = {
            "periodic": "Periodiek onderhoud",
            "corrective": "Storing verholpen",
            "extra": "Meerwerk op verzoek",
        }[wo_type]
        # billable empty: the type decides (meerwerk is billed on top, the rest covered)
        self.sink("work_orders", [number, contract, _d(date), wo_type, status, description, ""])
        labour = cost * labour_share
        technicians = rng.sample(_TECHNICIANS, rng.choice((1, 1, 2)))
        for employee in technicians:
            for hour_type, share in _HOUR_TYPES:
                if hour_type == "overtime" and rng.random() > 0.2:
                    continue
                hours = max(0.25, round(labour * share / len(technicians) / rate * 4) / 4)
                cost_rate = rate * (1.5 if hour_type == "overtime" else 1.0)
                self.sink("hours", [number, _d(date), employee, hour_type, f"{hours:.2f}",
                                    f"{cost_rate:.2f}", f"{cost_rate * 1.55:.2f}"])  # fmt: skip
        material = cost * (1 - labour_share)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            code, description, unit_cost = rng.choice(_ARTICLES)
            quantity = max(1, round(material / 2 / float(unit_cost)))
            self.sink("materials", [number, _d(date), code, description, str(quantity),
                                    str(unit_cost), _money(unit_cost * Decimal("1.35"))])  # fmt: skip


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def generate(
    sink: Sink, *, contracts: int = 300, seed: int = SEED, today: dt.date | None = None, history: bool = False
) -> None:
    """Emit the demo portfolio, entity by entity row, into sink(entity, cells).

    Deterministic for (contracts, seed, today, history). Rows arrive interleaved per
    contract (contract, budgets, work orders, lines) so huge portfolios stream.
    history: also the completed previous terms of many contracts (_PreviousTerms,
    docs/demo.md), from a random stream of their own: the other rows stay as they were,
    except the previous_contract of a contract that gets one.
    """
    today = today or clock.today()
    rng = random.Random(seed)
    meerwerk = _Generator(random.Random(f"{seed}-meerwerk"), today, sink)
    meerwerk.work_order_seq = 8_000_000  # WB<yy>8000001 on: the other work orders keep their numbers
    gen = _Generator(rng, today, _PreviousTerms(seed, today, sink).intercept if history else sink, meerwerk)
    customers = gen.customers(max(3, contracts // 5))
    for seq in range(1, contracts + 1):
        # mostly healthy, a tail that burns: on track, watch, at risk and over budget all occur
        pressure = rng.choices((1.0, 1.2, 1.35, 1.75), (0.72, 0.12, 0.09, 0.07))[0] * rng.uniform(0.95, 1.05)
        gen.contract(seq, rng.choice(customers), pressure)
    for i in range(max(1, contracts // 100)):  # work done outside any contract
        gen.work_order_seq += 1
        date = today - dt.timedelta(days=rng.randint(5, 300))
        sink(
            "work_orders",
            [f"WB-LOS-{i + 1:04d}", "", _d(date), "extra", "gereed", "Losse opdracht zonder contract", ""],
        )


# --- the previous terms (history=True): completed contracts for the backtest, docs/demo.md ----------

_HEATING = ("Onderhoud cv-installaties", "Onderhoud warmtepompen")  # busiest in winter
_COOLING = ("Onderhoud koelinstallaties", "Onderhoud luchtbehandeling")  # busiest in summer
# Meerwerk (issue 21): work billed on top, at sales rates, from random streams of their own, so
# every other row of the demo is what it was: a Poisson process at MEERWERK x the type's call rate
# (5 % of the work orders), at CREEP x it for one contract in SCOPE_CREEP (scope creep)
MEERWERK, CREEP, SCOPE_CREEP = 0.08, 1.6, 45
_CALLS_PER_YEAR = {"preventive": 2.0, "corrective": 9.0, "yearly_orders": 5.0}  # corrective calls, typical
_PERIODIC_SHARE = {"preventive": 0.6, "corrective": 0.0, "yearly_orders": 0.35}  # of the budget


class _PreviousTerms:
    """The term before a contract's current one, for about 60 % of the contracts whose previous
    term ended before today: same customer, type, subject and visits a year, number
    CT-<its start year>-<the same sequence>, linked by the current one's previous_contract.

    Its work, by a process of its own (docs/demo.md): periodic visits on their planned dates;
    corrective calls at random (a Poisson process) at a rate of the contract's own (the type's
    typical rate x a log-normal factor the budget did not know); for heating and cooling
    subjects more calls in their season; and for about a third of the contracts costs that
    drift up during the term. The budget is the typical cost, estimated with some noise.
    Its own random stream and work order numbers (WB<yy>9000001 on), so the rest of the demo is
    unchanged.
    """

    SHARE = 0.6

    def __init__(self, seed: int, today: dt.date, sink: Sink) -> None:
        self.rng = random.Random(f"{seed}-previous-terms")
        self.today, self.sink = today, sink
        self.work = _Generator(self.rng, today, sink)
        self.work.work_order_seq = 9_000_000
        self.meerwerk = _Generator(random.Random(f"{seed}-previous-meerwerk"), today, sink)
        self.meerwerk.work_order_seq = 7_000_000

    def intercept(self, entity: str, cells: list[str]) -> None:
        """The generator's sink: a contract row may get a previous term first."""
        if entity == "contracts":
            self.previous(cells)
        self.sink(entity, cells)

    def previous(self, cells: list[str]) -> None:
        rng = self.rng
        if rng.random() > self.SHARE:
            return
        number, kind, name = cells[0], cells[5], cells[4]
        start, end = dt.date.fromisoformat(cells[6]), dt.date.fromisoformat(cells[7])
        years = max(1, round(((end - start).days + 1) / 365.25))
        first, last = _add_years(start, -years), start - dt.timedelta(days=1)
        if last >= self.today:
            return
        previous = f"CT-{first.year}-{number.rsplit('-', 1)[1]}"
        cells[15] = previous
        visits = int(cells[12]) * 1 if cells[12] else 0
        budget = (
            float(cells[11]) / rng.uniform(1.10, 1.22) / 1.03  # the last term was a little cheaper
            if cells[11]
            else math.exp(rng.uniform(math.log(2500), math.log(90000))) * years
        )
        value = budget * rng.uniform(1.10, 1.22)
        self.sink("contracts", [
            previous, cells[1], cells[2], cells[3], name, kind, _d(first), _d(last), cells[8], cells[9],
            cells[10], _money(value), cells[12], cells[13], "", "", cells[16],
        ])  # fmt: skip
        labour_share = rng.uniform(0.55, 0.75)
        rate = rng.choice((48.5, 52.0, 55.5, 58.0, 61.5))
        if rng.random() > 0.08:  # most have a budget, over the whole term
            for category, share in (("labour", labour_share), ("material", 1 - labour_share)):
                amount = budget * share * rng.uniform(0.9, 1.15)  # an estimate, with its noise
                hours = f"{amount / rate:.1f}" if category == "labour" else ""
                self.sink("budgets", [previous, category, _money(amount), hours, "", ""])
        self.work_of(previous, kind, name, first, last, years, visits, budget, labour_share, rate)

    def work_of(
        self, number: str, kind: str, name: str, first: dt.date, last: dt.date, years: int,
        visits: int, budget: float, labour_share: float, rate: float,
    ) -> None:  # fmt: skip
        rng = self.rng
        term_days = (last - first).days + 1
        typical = _CALLS_PER_YEAR[kind]
        calls = typical * rng.lognormvariate(0, 0.45)  # this contract's own rate
        per_visit = budget * _PERIODIC_SHARE[kind] / visits if visits else 0.0
        per_call = budget * (1 - (_PERIODIC_SHARE[kind] if visits else 0.0)) / (typical * years)
        peak = 1 if name.startswith(_HEATING) else 7 if name.startswith(_COOLING) else None
        drift = rng.uniform(0.15, 0.6) if rng.random() < 0.35 else 0.0

        def season(day: dt.date) -> float:  # 1.6 in the peak month, 0.4 six months away
            return 1.0 if peak is None else 1 + 0.6 * math.cos(2 * math.pi * (day.month - peak) / 12)

        events: list[tuple[dt.date, str, float]] = []
        step = term_days / visits if visits else 0
        for i in range(visits):
            events.append(
                (
                    first + dt.timedelta(days=int(step * (i + 0.5))),
                    "periodic",
                    per_visit * rng.uniform(0.8, 1.2),
                )
            )
        day = first
        while True:  # a Poisson process at 1.6 x the rate, thinned to the season
            day += dt.timedelta(days=max(1, round(rng.expovariate(calls * 1.6 / 365))))
            if day > last:
                break
            if rng.random() < season(day) / 1.6:
                rng.random()  # the draw that once chose corrective or extra: kept, as above
                events.append((day, "corrective", per_call * rng.lognormvariate(0, 0.5) / math.exp(0.125)))
        for date, wo_type, cost in sorted(events):
            grown = cost * (1 + drift * ((date - first).days + 1) / term_days)
            self.work.work_order(number, date, wo_type, grown, labour_share, rate)
        creep = int(number.rsplit("-", 1)[1]) % SCOPE_CREEP == SCOPE_CREEP // 2
        self.meerwerk.extra_work(number, first, last, typical, creep, per_call, labour_share, rate)


def write_csv(directory: Path, **kwargs) -> dict[str, int]:
    """Write the demo portfolio as the five canonical CSVs; returns rows per entity."""
    directory.mkdir(parents=True, exist_ok=True)
    handles = {e: (directory / f"{e}.csv").open("w", newline="", encoding="utf-8") for e in ENTITIES}
    writers = {e: csv.writer(h) for e, h in handles.items()}
    counts = dict.fromkeys(ENTITIES, 0)
    try:
        for entity, writer in writers.items():
            writer.writerow(HEADERS[entity])

        def sink(entity: str, cells: list[str]) -> None:
            writers[entity].writerow(cells)
            counts[entity] += 1

        generate(sink, **kwargs)
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def tables(**kwargs) -> list[SourceTable]:
    """The demo portfolio as in-memory canonical CSV tables, ready for import_tables."""
    return _generated(**kwargs)[0]


def _generated(**kwargs) -> tuple[list[SourceTable], list[str], list[str]]:
    """tables(), the contract numbers and the numbers of the work orders under no contract."""
    buffers = {e: io.StringIO() for e in ENTITIES}
    writers = {e: csv.writer(b) for e, b in buffers.items()}
    contracts: list[str] = []
    loose: list[str] = []
    for entity, writer in writers.items():
        writer.writerow(HEADERS[entity])

    def sink(entity: str, cells: list[str]) -> None:
        writers[entity].writerow(cells)
        if entity == "contracts":
            contracts.append(cells[0])
        elif entity == "work_orders" and not cells[1]:
            loose.append(cells[0])

    generate(sink, **kwargs)
    found = [
        open_csv(f"{e}.csv", io.BufferedReader(io.BytesIO(buffers[e].getvalue().encode()))) for e in ENTITIES
    ]
    return found, contracts, loose


SEEDED = "demo_seeded"  # meta key: the demo was loaded once; an emptied database stays empty


def load_if_empty(engine: Engine, **kwargs) -> ImportResult | None:
    """load(engine, **kwargs) into a database that has no contracts and never had the demo (the
    app's first start); None otherwise, so that a database whose demo was removed is not filled
    again. The first start's demo has its completed previous terms (history=True, unless kwargs say
    otherwise), so that the backtest and the auto forecast have work out of the box."""
    kwargs.setdefault("history", True)
    with transaction(engine) as session:
        if portfolio_reads.contract_count(session) or get_meta(session, SEEDED):
            return None
    result = load(engine, actor=Actor("the app's first start", "app", operator=True), **kwargs)
    log.info("demo: loaded into an empty database: %s", result.counts)
    return result


def load(engine: Engine, actor: Actor | None = None, **kwargs) -> ImportResult:
    """Import the demo portfolio through the normal importer, its rows marked as the demo's
    (exactly the contracts and loose work orders it generated), in one transaction.

    actor (default: the operator) needs the 'demo' right; the audit trail records a
    'demo-load' with the rows per entity."""
    found, contracts, loose = _generated(**kwargs)

    def mark(session: Session) -> None:
        lifecycle.mark_demo(session, contracts, loose)
        set_meta(session, SEEDED, "1")

    return import_tables(
        engine, found, source="demo", user="demo", actor=actor or access.operator("cli"), after=mark,
        audit_as="demo-load",
    )  # fmt: skip


def remove(engine: Engine, actor: Actor) -> dict[str, int]:
    """Delete the demo's rows in one transaction (lifecycle.remove_demo); rows deleted per table."""
    return writes.write(engine, actor, "demo", lambda session: lifecycle.remove_demo(session, actor))
