"""A small dbt-style project, written as one would for dbt (ref, source, var, Jinja loops and
`if`, a macro, config(), is_incremental()/this, dbt_project-style folder settings, `version: 2`
property files with data_tests and config:), runs unmodified on DuckDB, PostgreSQL and Snowflake
(fakesnow) and gives the rows worked out by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.compare import normalize
from tests.support.tables import load_rows
from warehouse import Warehouse, connect, load_project, run, run_tests

FILES = {
    "plantsync_project.yml": """
name: shop
vars:
  payment_methods: [credit_card, coupon, bank_transfer, gift_card]
models:
  shop:
    staging:
      +materialized: view
    marts:
      +materialized: table
      +tags: [finance]
""",
    "sources/shop.yml": """
version: 2
sources:
  - name: shop
    schema: raw_shop
    tables:
      - name: orders
      - name: payments
        description: One row per payment; amount in cents.
""",
    "seeds/payment_methods.csv": """method,label,is_card
credit_card,Credit card,true
coupon,Coupon,false
bank_transfer,Bank transfer,false
gift_card,Gift card,true
""",
    "macros/cents_to_dollars.sql": """
{% macro cents_to_dollars(column_name, scale=2) -%}
    cast({{ column_name }} / 100 as decimal(16, {{ scale }}))
{%- endmacro %}
""",
    "staging/stg_orders.sql": """
select
    id as order_id,
    user_id as customer_id,
    order_date,
    status
from {{ source('shop', 'orders') }}
""",
    "staging/stg_payments.sql": """
select
    id as payment_id,
    order_id,
    payment_method,
    {{ cents_to_dollars('amount') }} as amount
from {{ source('shop', 'payments') }}
""",
    "marts/orders.sql": """
{% set payment_methods = var('payment_methods') %}

with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select * from {{ ref('stg_payments') }}
),

order_payments as (
    select
        order_id,
        {% for payment_method in payment_methods -%}
        sum(case when payment_method = '{{ payment_method }}' then amount else 0 end)
            as {{ payment_method }}_amount,
        {% endfor -%}
        sum(amount) as total_amount
    from payments
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.status,
        {% for payment_method in payment_methods -%}
        coalesce(order_payments.{{ payment_method }}_amount, 0) as {{ payment_method }}_amount,
        {% endfor -%}
        coalesce(order_payments.total_amount, 0) as amount
    from orders
    left join order_payments
        on orders.order_id = order_payments.order_id
)

select * from final
""",
    "marts/customers.sql": """
{{ config(materialized='view') }}
with payments as (
    select * from {{ ref('stg_payments') }}
),

methods as (
    select * from {{ ref('payment_methods') }}
)

select
    orders.customer_id,
    count(distinct orders.order_id) as orders,
    {% if var('split_cards', true) %}
    coalesce(sum(case when methods.is_card then payments.amount end), 0) as card_amount,
    {% endif %}
    coalesce(sum(payments.amount), 0) as total_amount
from {{ ref('orders') }} as orders
left join payments
    on payments.order_id = orders.order_id
left join methods
    on methods.method = payments.payment_method
group by orders.customer_id
""",
    "marts/payments_log.sql": """
{{ config(materialized='incremental', unique_key='payment_id') }}
select payment_id, order_id, amount
from {{ ref('stg_payments') }}
{% if is_incremental() %}
where payment_id > (select max(payment_id) from {{ this }})
{% endif %}
""",
    "marts/docs.md": """
{% docs orders %}
One row per order with its payments by method, in dollars.
{% enddocs %}
""",
    "marts/schema.yml": """
version: 2
models:
  - name: orders
    description: '{{ doc("orders") }}'
    columns:
      - name: order_id
        data_tests: [unique, not_null]
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: customer_id
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped', 'completed', 'return_pending', 'returned']
      - name: amount
        data_tests:
          - not_null:
              config:
                severity: warn
  - name: customers
    columns:
      - name: customer_id
        data_tests: [unique]
""",
}

ORDERS = [
    (1, 1, "2024-01-01", "completed"),
    (2, 1, "2024-01-05", "returned"),
    (3, 2, "2024-01-07", "placed"),
    (4, 3, "2024-01-09", "completed"),  # no payment
]
PAYMENTS = [
    (1, 1, "credit_card", 1000),
    (2, 1, "coupon", 250),
    (3, 2, "bank_transfer", 1234),
    (4, 3, "gift_card", 599),
    (5, 3, "credit_card", 1),
]
# order_id, customer_id, credit_card, coupon, bank_transfer, gift_card, amount (dollars)
EXPECTED_ORDERS = [
    (1, 1, "10.00", "2.50", "0", "0", "12.50"),
    (2, 1, "0", "0", "12.34", "0", "12.34"),
    (3, 2, "0.01", "0", "0", "5.99", "6.00"),
    (4, 3, "0", "0", "0", "0", "0"),
]
# customer_id, orders, card_amount (credit and gift cards), total_amount
EXPECTED_CUSTOMERS = [(1, 2, "10.00", "24.84"), (2, 1, "6.00", "6.00"), (3, 1, "0", "0")]


def _raw(warehouse: Warehouse, payments: list[tuple] = PAYMENTS) -> None:
    load_rows(
        warehouse,
        "raw_shop.orders",
        [("id", "integer"), ("user_id", "integer"), ("order_date", "date"), ("status", None)],
        ORDERS,
    )
    load_rows(
        warehouse,
        "raw_shop.payments",
        [
            ("id", "integer"),
            ("order_id", "integer"),
            ("payment_method", None),
            ("amount", "bigint"),
        ],
        payments,
    )


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    return sorted(tuple(normalize(v) for v in row) for row in warehouse.query(sql))


def _expected(rows: list[tuple]) -> list[tuple]:
    return sorted(
        tuple(normalize(Decimal(v) if isinstance(v, str) else v) for v in r) for r in rows
    )


@pytest.fixture(
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres), "snowflake"]
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        with connect("duckdb", duckdb_path=tmp_path / "shop.duckdb") as warehouse:
            yield warehouse
    elif request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        with connect("postgres", postgres_url=url) as warehouse:
            yield warehouse
    else:
        import fakesnow

        with (
            fakesnow.patch(),
            connect("snowflake", snowflake={"database": "shop", "schema": "public"}) as warehouse,
        ):
            yield warehouse


def _write(root: Path) -> Path:
    for relative, text in FILES.items():
        path = root / "models" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip())
    return root / "models"


def test_project_loads_with_dbt_conventions(tmp_path: Path) -> None:
    project = load_project(_write(tmp_path))
    orders = project.models["marts.orders"]
    assert (orders.materialized, orders.tags) == ("table", ("finance",))
    assert orders.description == "One row per order with its payments by method, in dollars."
    assert orders.depends_on == ("staging.stg_orders", "staging.stg_payments")
    assert project.models["marts.customers"].materialized == "view"  # config() wins
    assert project.models["staging.stg_payments"].depends_on == ("raw_shop.payments",)
    assert "gift_card_amount" in orders.sql and "{%" not in orders.sql
    types = {c.name: c.type for c in project.models["seeds.payment_methods"].columns}
    assert types == {"method": "varchar", "label": "varchar", "is_card": "boolean"}


@pytest.mark.filterwarnings("ignore::UserWarning")  # fakesnow's arrow-copy notice
def test_runs_unmodified_and_gives_the_hand_computed_rows(
    tmp_path: Path, target: Warehouse
) -> None:
    project = load_project(_write(tmp_path))
    _raw(target)
    run(project, target)
    assert _rows(
        target,
        "select order_id, customer_id, credit_card_amount, coupon_amount, bank_transfer_amount, "
        "gift_card_amount, amount from marts.orders",
    ) == _expected(EXPECTED_ORDERS)
    assert _rows(
        target, "select customer_id, orders, card_amount, total_amount from marts.customers"
    ) == _expected(EXPECTED_CUSTOMERS)
    results = run_tests(project, target)
    assert len(results) == 6 and all(r.passed for r in results)

    # incremental: payment 6 is new; payment 5 changed but is not re-read (payment_id filter).
    # Reloading raw tables drops the views over them on PostgreSQL: rebuild the ancestors too.
    _raw(target, [*PAYMENTS[:4], (5, 3, "credit_card", 999), (6, 4, "coupon", 300)])
    results = {r.model: r for r in run(project, target, "+marts.payments_log")}
    assert (results["marts.payments_log"].action, results["marts.payments_log"].rows) == (
        "merged",
        6,
    )
    assert _rows(target, "select payment_id, amount from marts.payments_log") == _expected(
        [(1, "10.00"), (2, "2.50"), (3, "12.34"), (4, "5.99"), (5, "0.01"), (6, "3.00")]
    )
