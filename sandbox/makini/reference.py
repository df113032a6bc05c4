"""Reference data of one connection: organization, sites, vendors, currencies, exchange rates,
units of measure and purchase-order statuses, as API rows (dicts in the spec's field order).

Rows that orders point to also keep a little private context (country, currency) in the
`Reference` object, never in the served dicts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.makini.catalog import COUNTRIES, CURRENCIES, HOMES, SITES, UNITS, VENDOR_NAMES
from sandbox.makini.clock import CLOCK_START_S, DAY_S, iso
from sandbox.makini.flavours import Flavour
from sandbox.makini.keys import KeyMaker

HISTORY_DAYS = 730  # orders reach back two years before the clock start
HISTORY_START_S = CLOCK_START_S - HISTORY_DAYS * DAY_S
Row = dict[str, Any]


@dataclass
class Reference:
    """Everything an order refers to, plus the private facts the generator needs."""

    flavour: Flavour
    organization_key: str
    home_country: str
    base_currency: str
    sites: list[Row] = field(default_factory=list)
    site_country: dict[str, str] = field(default_factory=dict)
    vendors: list[Row] = field(default_factory=list)
    vendor_country: dict[str, str] = field(default_factory=dict)
    currencies: list[Row] = field(default_factory=list)
    currency_key: dict[str, str] = field(default_factory=dict)  # code -> key
    exponent: dict[str, int] = field(default_factory=dict)  # key -> minor-unit exponent
    eur_value: dict[str, float] = field(default_factory=dict)  # key -> value in EUR
    exchange_rates: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    unit_key: dict[str, str] = field(default_factory=dict)  # code -> key
    unit_decimals: dict[str, int] = field(default_factory=dict)  # key -> decimals
    statuses: list[Row] = field(default_factory=list)
    # canonical status -> keys of the flavour's statuses that mean it
    status_keys: dict[str, list[str]] = field(default_factory=dict)
    status_canonical: dict[str, str] = field(default_factory=dict)  # key -> canonical status
    users: list[str] = field(default_factory=list)
    billing_address: Row = field(default_factory=dict)


def address(country: str, street: str, city: str, post_code: str, state: str, who: str) -> Row:
    """An `Address` object (the spec's field order)."""
    created = iso(HISTORY_START_S - 400 * DAY_S)
    return {
        "country": country,
        "addressLines": street,
        "addressee": who,
        "state": state,
        "city": city,
        "postCode": post_code,
        "phone": None,
        "email": None,
        "notes": None,
        "isActive": True,
        "createdAt": created,
        "updatedAt": created,
    }


def _audit(rng: random.Random, deleted: bool) -> tuple[str | None, str | None, str | None]:
    """createdAt, updatedAt, deletedAt of a master-data row."""
    created = HISTORY_START_S - rng.randrange(30, 900) * DAY_S
    updated = rng.randrange(created, CLOCK_START_S - DAY_S)
    deleted_at = rng.randrange(updated, CLOCK_START_S) if deleted else None
    return iso(created), iso(updated), iso(deleted_at)


def build_reference(
    rng: random.Random, keys: KeyMaker, flavour: Flavour, index: int, purchase_orders: int
) -> Reference:
    """All reference rows of connection `index` (0-based)."""
    home_country, base = HOMES[index % len(HOMES)]
    ref = Reference(flavour, keys.new("organization"), home_country, base)
    ref.users = [keys.new("user") for _ in range(12)]
    _add_currencies(rng, keys, ref)
    _add_units(keys, ref)
    _add_statuses(keys, ref)
    _add_sites(rng, keys, ref)
    _add_vendors(rng, keys, ref, max(5, purchase_orders // 20))
    return ref


def _add_currencies(rng: random.Random, keys: KeyMaker, ref: Reference) -> None:
    created, updated, _ = _audit(rng, deleted=False)
    for code, name, exponent, eur in CURRENCIES:
        key = keys.new("currency")
        ref.currency_key[code], ref.exponent[key], ref.eur_value[key] = key, exponent, eur
        ref.currencies.append(
            {
                "key": key,
                "name": name,
                "code": code,
                # The spec types both flags as strings; real back ends send "true"/"false".
                "isBase": "true" if code == ref.base_currency else "false",
                "isActive": "true",
                "createdAt": created,
                "updatedAt": updated,
                "deletedAt": None,
            }
        )
    base_key = ref.currency_key[ref.base_currency]
    # Monthly rates: 1 unit of currencyKey = rate units of baseCurrencyKey, with a slow drift.
    for month in range(HISTORY_DAYS // 30 + 1):
        created_at = iso(HISTORY_START_S + month * 30 * DAY_S)
        for code, *_ in CURRENCIES:
            key = ref.currency_key[code]
            if key == base_key:
                continue
            drift = 1 + rng.uniform(-0.04, 0.04)
            rate = ref.eur_value[key] / ref.eur_value[base_key] * drift
            ref.exchange_rates.append(
                {
                    "key": keys.new("exchange_rate"),
                    "currencyKey": key,
                    "baseCurrencyKey": base_key,
                    "rate": f"{rate:.6f}",
                    "createdAt": created_at,
                }
            )


def _add_units(keys: KeyMaker, ref: Reference) -> None:
    for code, name, decimals, base_code, rate in UNITS:
        key = keys.new("uom")
        ref.unit_key[code], ref.unit_decimals[key] = key, decimals
        ref.units.append(
            {
                "key": key,
                "name": name,
                "code": code,
                "rateBaseKey": ref.unit_key[base_code] if base_code else None,
                "rate": rate,
                "isActive": True,
            }
        )


def _add_statuses(keys: KeyMaker, ref: Reference) -> None:
    created = iso(HISTORY_START_S - 1000 * DAY_S)
    for code, name, canonical in ref.flavour.po_statuses:
        key = keys.new("status")
        ref.status_keys.setdefault(canonical, []).append(key)
        ref.status_canonical[key] = canonical
        ref.statuses.append(status_row(key, ref.organization_key, code, name, created))


def status_row(key: str, organization_key: str, code: str, name: str, created: str | None) -> Row:
    """A `Status` row of scope purchase-orders."""
    return {
        "key": key,
        "organizationKey": organization_key,
        "parentKey": None,
        "name": name,
        "code": code,
        "subCode": None,
        "scope": "purchase-orders",
        "isActive": True,
        "createdAt": created,
        "updatedAt": created,
        "deletedAt": None,
    }


def _add_sites(rng: random.Random, keys: KeyMaker, ref: Reference) -> None:
    home = [s for s in SITES if s[0] == ref.home_country]
    abroad = [s for s in SITES if s[0] != ref.home_country]
    count = rng.randint(3, 6)
    chosen = home[:count] + rng.sample(abroad, count - min(count, len(home)))
    hq = chosen[0]
    ref.billing_address = address(hq[0], hq[3], hq[2], hq[4], hq[5], "Accounts Payable")
    for i, (country, name, city, street, post_code, state, lat, lng) in enumerate(chosen):
        # The last site of a connection with four or more was closed (soft-deleted).
        created, updated, deleted = _audit(rng, deleted=i == count - 1 and count >= 4)
        key = keys.new("site")
        ref.site_country[key] = country
        ref.sites.append(
            {
                "key": key,
                "organizationKey": ref.organization_key,
                "name": name,
                "code": f"{country}{i + 1:02d}",
                "description": f"{name}, {city}",
                "contact": {
                    "name": "Instandhaltung / Maintenance",
                    "position": "Leitung",
                    "phones": "+49 211 5550 100",
                    "emails": f"site{i + 1}@example.com",
                    "isActive": True,
                    "isDefault": True,
                },
                "customerKey": None,
                "lat": lat,
                "lng": lng,
                "address": address(country, street, city, post_code, state, name),
                "billingAddress": ref.billing_address,
                "properties": None,
                "notes": None,
                "createdAt": created,
                "updatedAt": updated,
                "deletedAt": deleted,
            }
        )


def _add_vendors(rng: random.Random, keys: KeyMaker, ref: Reference, count: int) -> None:
    countries = list(VENDOR_NAMES)
    for i in range(count):
        # Most vendors are local; the rest come from anywhere.
        country = ref.home_country if rng.random() < 0.6 else rng.choice(countries)
        names, trades, pattern = VENDOR_NAMES[country]
        created, updated, deleted = _audit(rng, deleted=rng.random() < 0.05)
        key = keys.new("vendor")
        ref.vendor_country[key] = country
        code = f"{100000 + i:010d}" if ref.flavour.name == "sap" else f"V{10000 + i}"
        ref.vendors.append(
            {
                "key": key,
                "name": pattern.format(name=rng.choice(names), trade=rng.choice(trades)),
                "code": code,
                "companyKey": keys.key("company", i),
                "organizationKey": ref.organization_key,
                "createdAt": created,
                "updatedAt": updated,
                "deletedAt": deleted,
            }
        )


def tax_rates(ref: Reference, site_key: str, vendor_key: str) -> tuple[int, int]:
    """(standard, reduced) tax percent of a purchase: cross-border purchases are 0 % (reverse
    charge), domestic ones pay the site country's VAT."""
    country = ref.site_country[site_key]
    if ref.vendor_country[vendor_key] != country:
        return 0, 0
    return COUNTRIES[country].tax_pct, COUNTRIES[country].reduced_tax_pct
