"""The data model (docs/metrics.md, docs/importing.md) as SQLAlchemy 2 tables, with exact fixed-point money."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCALE = 6
UNIT = Decimal(1).scaleb(-SCALE)  # 0.000001: Decimal(n) * UNIT is from_units(n), exponent -6 included


class Fixed(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of millionths.

    SQLite has no decimal type (NUMERIC there is a float), so amounts, hours,
    rates and quantities are kept as 64-bit integers of 1e-6 units. SUM() in SQL
    then stays exact on SQLite and PostgreSQL alike, and because func.sum() keeps
    its argument's type, sums come back as Decimal too. Range: +/- 9.2e12.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return to_units(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return from_units(value)


def to_units(value: Decimal) -> int:
    """Decimal -> integer millionths (banker's rounding below 1e-6)."""
    return int(value.quantize(UNIT, rounding=ROUND_HALF_EVEN).scaleb(SCALE))


def from_units(value: int | Decimal | float) -> Decimal:
    """Integer millionths (as SQL returns them) -> Decimal."""
    if isinstance(value, float):  # some drivers return SUM() of BIGINT as float
        value = round(value)
    return Decimal(int(value)).scaleb(-SCALE)


def product_units(a: int, b: int) -> int:
    """The product of two amounts in millionths, in millionths, rounded half to even: what
    to_units(from_units(a) x from_units(b)) gives (the import's line cost and revenue)."""
    whole, rest = divmod(a * b, 1_000_000)
    if rest > 500_000 or (rest == 500_000 and whole & 1):
        whole += 1
    return whole


Money = Annotated[Decimal, "money"]
Amount = Annotated[Decimal, "amount"]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {Money: Fixed(), Amount: Fixed()}


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    customer_number: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(100))


def demo_index(table: str) -> Index:
    """An index of the table's demo rows only (a partial index): whether the database holds
    the demo (database.is_demo, asked by every import) is then one look, not a scan of every
    contract and work order. Its condition is the query's, as each database writes it."""
    return Index(
        f"ix_{table}_demo", "id", sqlite_where=text("demo IS 1"), postgresql_where=text("demo IS true")
    )


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (demo_index("contracts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_number: Mapped[str] = mapped_column(String(50), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(20), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date, index=True)
    notice_period_days: Mapped[int] = mapped_column(Integer, default=0)
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    renewal_months: Mapped[int | None] = mapped_column(Integer)
    contract_value: Mapped[Money | None]
    planned_visits: Mapped[int | None] = mapped_column(Integer)
    account_manager: Mapped[str | None] = mapped_column(String(100), index=True)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    # issue 11: demo rows are marked, never guessed; an archived contract leaves the portfolio
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    archived_on: Mapped[dt.date | None] = mapped_column(Date)
    # the contract this one renews (its last term), by number; it need not be in the database
    previous_contract: Mapped[str | None] = mapped_column(String(50))
    # issue 20: the yearly indexation in percent (2.5 = 2.5 %); empty: the setting "yearly indexation"
    indexation_pct: Mapped[Amount | None]


class BudgetLine(Base):
    """A budget amount for one category over a period (default: the contract's term).

    period_key is period_start as ISO text, or '' for "from the contract's start";
    it makes the exchange format's key (contract, category, period_start) a plain unique key.
    """

    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("contract_id", "category", "period_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Money]
    hours: Mapped[Amount | None]
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    period_key: Mapped[str] = mapped_column(String(10))


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (Index("ix_work_orders_contract_date", "contract_id", "date"), demo_index("work_orders"))
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_number: Mapped[str] = mapped_column(String(50), unique=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    type: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a loose demo order
    # issue 21: billed on top of the contract (True) or covered by it (False); None: by its type
    # (aggregates.billed_on_top states the rule)
    billable: Mapped[bool | None] = mapped_column(Boolean)


class HourLine(Base):
    """Hours on a work order; cost = hours x cost_rate, computed once at import."""

    __tablename__ = "hour_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    employee: Mapped[str | None] = mapped_column(String(100))
    hour_type: Mapped[str | None] = mapped_column(String(30))
    hours: Mapped[Amount]
    cost_rate: Mapped[Money]
    sales_rate: Mapped[Money | None]
    cost: Mapped[Money]
    revenue: Mapped[Money | None]  # hours x sales_rate, computed once at import; None without a sales rate


class MaterialLine(Base):
    """Material on a work order; cost = quantity x unit_cost, computed once at import."""

    __tablename__ = "material_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    article_code: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Amount]
    unit_cost: Mapped[Money]
    unit_price: Mapped[Money | None]
    cost: Mapped[Money]
    revenue: Mapped[Money | None]  # quantity x unit_price, computed once at import; None without a price


class ContractMonth(Base):
    """Per contract, per calendar month, per in/out of term: the sums of its lines.

    Maintained by every import (see aggregates.py) so that portfolio figures
    read a few rows per contract instead of every cost line. month is the first
    day of the month. visits counts periodic work orders dated in that month, calls
    corrective ones. labour, material, hours, lines, visits and calls count covered work only; the extra_*
    columns the lines of work orders billed on top (aggregates.billed_on_top): their
    cost, revenue (lines with a sales price), lines, and lines without a sales price.
    """

    __tablename__ = "contract_months"
    # the portfolio reads the months after as_of (or before it) by this index
    __table_args__ = (Index("ix_contract_months_month", "month"),)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    in_term: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    labour: Mapped[Money]
    material: Mapped[Money]
    hours: Mapped[Amount]
    lines: Mapped[int] = mapped_column(Integer)
    visits: Mapped[int] = mapped_column(Integer)
    extra_cost: Mapped[Money] = mapped_column(server_default=text("0"))
    extra_revenue: Mapped[Money] = mapped_column(server_default=text("0"))
    extra_lines: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    extra_unpriced: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    calls: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class ContractTotal(Base):
    """Per contract: its contract_months summed over all months (maintained with them).

    The portfolio reads this one row per contract and subtracts only what is
    dated after as_of, so a summary at today touches few rows beyond these.
    Columns labour, material, hours, visits and calls are in-term; outside_* count and
    cost the lines dated outside the term (a data-quality finding, covered or billed);
    extra_* are the in-term sums of work billed on top (as in contract_months).
    """

    __tablename__ = "contract_totals"
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    labour: Mapped[Money]
    material: Mapped[Money]
    hours: Mapped[Amount]
    visits: Mapped[int] = mapped_column(Integer)
    outside_lines: Mapped[int] = mapped_column(Integer)
    outside_cost: Mapped[Money]
    extra_cost: Mapped[Money] = mapped_column(server_default=text("0"))
    extra_revenue: Mapped[Money] = mapped_column(server_default=text("0"))
    extra_lines: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    extra_unpriced: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    calls: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class ContractBudget(Base):
    """Per contract: its budget lines summed (count, per category, hours), maintained at import.

    The column-wise portfolio (frame.py) reads one row per contract here instead
    of aggregating every budget line.
    """

    __tablename__ = "contract_budgets"
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    lines: Mapped[int] = mapped_column(Integer)
    labour: Mapped[Money]
    material: Mapped[Money]
    other: Mapped[Money]
    hours: Mapped[Amount]


class BudgetPeriod(Base):
    """Per budget line: its amount and the first and last day of its period (its own or the
    contract's term) as day numbers since 1970-01-01, maintained at import, so that planned
    to date is integer arithmetic on one narrow table."""

    __tablename__ = "budget_periods"
    budget_line_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    amount: Mapped[Money]
    first_day: Mapped[int] = mapped_column(Integer)
    last_day: Mapped[int] = mapped_column(Integer)


class PortfolioMonth(Base):
    """Per calendar month: the in-term labour and material of all contracts together.

    contract_months summed per month, maintained with them, so that the
    portfolio's actuals per month read a few dozen rows, not a row per contract
    and month. month is the first day of the month.
    """

    __tablename__ = "portfolio_months"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    labour: Mapped[Money]
    material: Mapped[Money]
    lines: Mapped[int] = mapped_column(Integer)


class Snapshot(Base):
    """A named set of numpy columns saved at import (snapshot.py): the portfolio read in one value."""

    __tablename__ = "snapshots"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Meta(Base):
    """Small key/value facts about the database, e.g. data_version and demo flag."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImportLog(Base):
    __tablename__ = "import_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    files: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))


class User(Base):
    """Who may sign in, and with which role (access.ROLES); email is stored in lower case."""

    __tablename__ = "users"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    added_by: Mapped[str] = mapped_column(String(254))


class AuditEntry(Base):
    """One write and who made it: at (UTC), actor (email or OS user), source (page:..., cli, app,
    config), action, subject (a contract number, an email, ...) and details as JSON (counts,
    old and new values)."""

    __tablename__ = "audit_trail"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(254), index=True)
    source: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30), index=True)
    subject: Mapped[str] = mapped_column(String(254), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
