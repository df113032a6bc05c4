"""Realistic text and price pools the generator draws from (data only, no logic).

Names are deliberately international (German, Nordic, Japanese) so that encodings are tested
end to end. Prices are unit prices in EUR; the generator converts them to the order currency.
"""

from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    code: str
    currency: str
    tax_pct: int  # standard VAT/GST rate on domestic purchases
    reduced_tax_pct: int


COUNTRIES: dict[str, Country] = {
    "DE": Country("DE", "EUR", 19, 7),
    "SE": Country("SE", "SEK", 25, 12),
    "NO": Country("NO", "EUR", 25, 15),  # Norwegian vendors here invoice in EUR
    "DK": Country("DK", "EUR", 25, 25),
    "GB": Country("GB", "GBP", 20, 5),
    "US": Country("US", "USD", 0, 0),  # US purchase orders carry no VAT
    "CH": Country("CH", "CHF", 8, 2),
    "JP": Country("JP", "JPY", 10, 8),
}

# code, name, ISO 4217 minor-unit exponent, value of one unit in EUR (about 2026)
CURRENCIES: tuple[tuple[str, str, int, float], ...] = (
    ("EUR", "Euro", 2, 1.0),
    ("USD", "US Dollar", 2, 0.92),
    ("GBP", "Pound Sterling", 2, 1.17),
    ("CHF", "Schweizer Franken", 2, 1.05),
    ("SEK", "Svensk krona", 2, 0.087),
    ("JPY", "日本円", 0, 0.0062),
)

# Each connection's home: (country of its headquarters, its base currency).
HOMES: tuple[tuple[str, str], ...] = (
    ("DE", "EUR"),
    ("US", "USD"),
    ("SE", "SEK"),
    ("GB", "GBP"),
    ("JP", "JPY"),
    ("CH", "CHF"),
)

# country, site name, city, street, post code, state, lat, lng
SITES: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("DE", "Werk Düsseldorf", "Düsseldorf", "Königsallee 92", "40212", "NRW", "51.2177", "6.7785"),
    (
        "DE",
        "Werk Nürnberg",
        "Nürnberg",
        "Äußere Sulzbacher Straße 118",
        "90491",
        "Bayern",
        "49.4647",
        "11.1136",
    ),
    ("DE", "Werk Görlitz", "Görlitz", "Brückenstraße 5", "02826", "Sachsen", "51.1526", "14.9872"),
    (
        "SE",
        "Göteborg fabrik",
        "Göteborg",
        "Hisingsgatan 14",
        "417 03",
        "Västra Götaland",
        "57.7215",
        "11.9417",
    ),
    (
        "SE",
        "Västerås verk",
        "Västerås",
        "Östra Ringvägen 3",
        "722 12",
        "Västmanland",
        "59.6099",
        "16.5448",
    ),
    ("NO", "Bærum anlegg", "Bærum", "Sørkedalsveien 10", "1337", "Viken", "59.8940", "10.5260"),
    ("DK", "Århus fabrik", "Aarhus", "Søndergade 7", "8000", "Midtjylland", "56.1567", "10.2108"),
    (
        "GB",
        "Sheffield Works",
        "Sheffield",
        "12 Attercliffe Road",
        "S4 7WZ",
        "South Yorkshire",
        "53.3870",
        "-1.4450",
    ),
    ("US", "Toledo Plant", "Toledo", "4400 Bennett Rd", "43612", "OH", "41.7003", "-83.5538"),
    ("US", "Greenville Plant", "Greenville", "1 Parkway Dr", "29615", "SC", "34.8526", "-82.3940"),
    ("CH", "Werk Winterthur", "Winterthur", "Zürcherstrasse 41", "8400", "ZH", "47.4988", "8.7237"),
    ("JP", "東京工場", "東京都", "大田区平和島 3-5-1", "143-0006", "東京都", "35.5843", "139.7413"),
    ("JP", "名古屋工場", "名古屋市", "港区港町 1-11", "455-0033", "愛知県", "35.0903", "136.8808"),
)

VENDOR_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    # country: (family names, trades, legal form pattern)
    "DE": (
        ("Müller", "Schäfer", "Weiß", "Köhler", "Groß", "Bäcker", "Hoffmann", "Krüger"),
        ("Hydraulik", "Antriebstechnik", "Werkzeugbau", "Elektro", "Industriebedarf"),
        "{name} {trade} GmbH",
    ),
    "SE": (
        ("Åkesson", "Öberg", "Lindqvist", "Sjöberg", "Ström", "Bäckström"),
        ("Verktyg", "Maskin", "Hydraulik", "Industriservice"),
        "{name} {trade} AB",
    ),
    "NO": (
        ("Sørensen", "Løvås", "Bjørnstad", "Ødegård"),
        ("Maskin", "Mekaniske", "Elektro"),
        "{name} {trade} AS",
    ),
    "DK": (
        ("Jørgensen", "Kjær", "Søgaard", "Ærenlund"),
        ("Værktøj", "Maskiner", "Teknik"),
        "{name} {trade} A/S",
    ),
    "GB": (
        ("Smith", "Baker", "Carter", "O'Neill", "Hughes"),
        ("Industrial Supply", "Bearings", "Controls", "Engineering"),
        "{name} {trade} Ltd",
    ),
    "US": (
        ("Johnson", "Miller", "Garcia", "Anderson"),
        ("Industrial", "Fluid Power", "Electric Supply", "Tool & Die"),
        "{name} {trade} Inc.",
    ),
    "CH": (
        ("Brunner", "Zürcher", "Käser", "Gisler"),
        ("Präzisionstechnik", "Antriebe", "Messtechnik"),
        "{name} {trade} AG",
    ),
    "JP": (
        ("山田", "佐藤", "鈴木", "高橋", "渡辺"),
        ("製作所", "工業", "精機", "商事"),
        "株式会社{name}{trade}",
    ),
}


class Item(NamedTuple):
    code: str
    name: str
    kind: str  # "material" or "service"
    unit: str  # "count", "KG", "M", "L", "BOX"
    price_eur: tuple[float, float]  # unit price range
    qty: tuple[int, int]  # quantity range in the item's unit
    maintenance: bool  # spare part or service bought for an asset


ITEMS: tuple[Item, ...] = (
    Item("100-6204", "Kugellager 6204-2RS", "material", "count", (3.0, 12.0), (10, 200), True),
    Item("100-4601", "Hydrauliköl HLP 46", "material", "L", (2.0, 6.0), (20, 1000), False),
    Item("100-1250", "Keilriemen SPA 1250", "material", "count", (8.0, 25.0), (2, 40), True),
    Item("100-0901", "Schutzhandschuhe Größe 9", "material", "BOX", (6.0, 15.0), (5, 100), False),
    Item("100-3310", "Schweißdraht G3Si1 1,0 mm", "material", "KG", (3.0, 8.0), (15, 450), False),
    Item("100-1515", "Kabel NYM-J 3×1,5 mm²", "material", "M", (0.5, 2.0), (50, 1000), False),
    Item(
        "100-7500", "Frequenzumrichter 7,5 kW", "material", "count", (600.0, 1500.0), (1, 4), True
    ),
    Item(
        "100-0832", "Ersatzteilset Pumpe Etanorm", "material", "count", (200.0, 900.0), (1, 3), True
    ),
    Item(
        "200-0001", "Servicetechniker Stundensatz", "service", "count", (75.0, 140.0), (2, 40), True
    ),
    Item("100-0800", "Fördergurt 800 mm EP400", "material", "M", (40.0, 120.0), (5, 60), True),
    Item("300-0020", "Smörjfett LGMT 2", "material", "KG", (12.0, 30.0), (1, 50), True),
    Item("300-4062", "Tætningsring 40×62×7", "material", "count", (1.0, 5.0), (10, 500), True),
    Item("300-0512", 'Hydraulisk slange ½" 2SN', "material", "M", (6.0, 18.0), (5, 100), True),
    Item("400-6205", "ベアリング 6205ZZ", "material", "count", (2.0, 9.0), (20, 400), True),
    Item("400-0068", "潤滑油 ISO VG68", "material", "L", (3.0, 7.0), (20, 800), False),
    Item("500-0100", "Nitrile gloves, box of 100", "material", "BOX", (6.0, 15.0), (5, 80), False),
    Item("500-1010", "Filter cartridge 10 µm", "material", "count", (15.0, 40.0), (2, 50), True),
    Item(
        "500-5010",
        "Pneumatic cylinder DSBC-50-100",
        "material",
        "count",
        (120.0, 300.0),
        (1, 6),
        True,
    ),
    Item("500-1800", "Proximity sensor M18 PNP", "material", "count", (25.0, 70.0), (1, 20), True),
    Item(
        "500-9001",
        "Calibration service, pressure gauges",
        "service",
        "count",
        (300.0, 800.0),
        (1, 2),
        True,
    ),
    Item("500-0220", "Gear oil ISO VG 220", "material", "L", (5.0, 9.0), (20, 400), True),
    Item(
        "500-4301", "Stainless sheet 1.4301 2 mm", "material", "KG", (4.0, 7.0), (50, 2000), False
    ),
    Item("500-4600", "Argon 4.6 cylinder 50 l", "material", "count", (60.0, 120.0), (1, 12), False),
    Item("500-0050", "Screws M8×30 DIN 912", "material", "count", (0.05, 0.2), (200, 5000), False),
)

# unit code, name, decimals, (base unit code, rate to it)
UNITS: tuple[tuple[str, str, int, str | None, str], ...] = (
    ("EA", "Each", 0, None, "1"),
    ("PC", "Piece", 0, None, "1"),
    ("ST", "Stück", 0, None, "1"),
    ("KG", "Kilogram", 3, None, "1"),
    ("M", "Metre", 3, None, "1"),
    ("L", "Litre", 3, None, "1"),
    ("BOX", "Box of 10", 0, "EA", "10"),
)

ASSETS: tuple[tuple[str, str, str, str], ...] = (
    # name, category, make, model
    ("Abfüllanlage Linie 1", "Packaging", "Krones", "Modulfill HRS"),
    ("Kompressor K2", "Compressor", "Atlas Copco", "GA 37 VSD+"),
    ("Kreiselpumpe P-101", "Pump", "KSB", "Etanorm 065-040-315"),
    ("Förderband FB-3", "Conveyor", "Interroll", "RollerDrive EC5000"),
    ("Servopresse 400 t", "Press", "Schuler", "ServoLine 400"),
    ("Svetsrobot R7", "Robot", "ABB", "IRB 2600"),
    ("Kjølemaskin KM-1", "HVAC", "Carrier", "30XW-V"),
    ("プレス機 3号機", "Press", "アマダ", "SDE-8025"),
    ("射出成形機 A5", "Moulding", "ファナック", "ROBOSHOT α-S150iA"),
    ("CNC Lathe L-12", "Machining", "DMG Mori", "NLX 2500"),
    ("Palletiser PL-2", "Packaging", "Fanuc", "M-410iC/185"),
    ("Boiler B-1", "Utilities", "Viessmann", "Vitocrossal 300"),
)

DOWNTIME_CAUSES: tuple[tuple[str, str], ...] = (
    # description, category
    ("Lagerschaden Antriebsmotor", "Breakdown"),
    ("Hydraulikleck am Zylinder", "Breakdown"),
    ("Lagerbyte enligt plan", "Planned maintenance"),
    ("Elektrisk feil i styreskap", "Breakdown"),
    ("定期点検", "Inspection"),
    ("Format change-over", "Changeover"),
    ("Sensor misalignment", "Breakdown"),
    ("Annual overhaul", "Planned maintenance"),
)

TERMS = (
    "30 Tage netto",
    "14 Tage 2 % Skonto, 30 Tage netto",
    "Net 30",
    "Net 45",
    "30 dagar netto",
    "月末締め翌月末払い",
)
SHIPPING = ("Spedition", "DHL Freight", "UPS Standard", "Abholung", "Sea freight", "Schenker")
