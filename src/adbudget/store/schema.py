"""Store schema, versioned: each migration moves the file one version forward.

A file whose version is newer than ``SCHEMA_VERSION`` is refused (an older program must not
write tables it does not understand). Money is DECIMAL(18,4); dates are market-local days;
timestamps are UTC.
"""

from __future__ import annotations

MONEY = "DECIMAL(18,4)"

# Natural keys: an import replaces existing rows that share them (never double counts).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "ad_daily": ("date", "market", "channel", "account", "campaign", "ad_group", "creative"),
    "orders": ("order_id",),
    "touchpoints": ("user_id", "ts", "channel", "campaign", "interaction"),
    "funnel_daily": ("date", "market", "step", "device"),
    "lift_tests": ("test_id",),
    "fx_rates": ("date", "currency"),
}

MIGRATIONS: list[str] = [
    # version 1: the foundation tables
    f"""
    CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE SEQUENCE IF NOT EXISTS import_ids START 1;
    CREATE TABLE IF NOT EXISTS imports (
        id INTEGER PRIMARY KEY,
        source VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        replaced BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ad_daily (
        date DATE NOT NULL,
        market VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        account VARCHAR NOT NULL,
        campaign VARCHAR NOT NULL,
        ad_group VARCHAR NOT NULL,
        creative VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        spend {MONEY} NOT NULL,
        impressions BIGINT NOT NULL,
        clicks BIGINT NOT NULL,
        conversions DOUBLE NOT NULL,
        revenue {MONEY} NOT NULL,
        spend_base {MONEY},
        revenue_base {MONEY},
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS orders (
        order_id VARCHAR NOT NULL,
        customer_id VARCHAR NOT NULL,
        ordered_at TIMESTAMP NOT NULL,
        order_date DATE NOT NULL,
        market VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        revenue {MONEY} NOT NULL,
        cogs {MONEY},
        shipping {MONEY},
        refunded {MONEY} NOT NULL,
        first_touch_channel VARCHAR,
        revenue_base {MONEY},
        refunded_base {MONEY},
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS touchpoints (
        user_id VARCHAR NOT NULL,
        ts TIMESTAMP NOT NULL,
        market VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        campaign VARCHAR NOT NULL,
        interaction VARCHAR NOT NULL,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS funnel_daily (
        date DATE NOT NULL,
        market VARCHAR NOT NULL,
        step VARCHAR NOT NULL,
        device VARCHAR NOT NULL,
        count BIGINT NOT NULL,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS lift_tests (
        test_id VARCHAR NOT NULL,
        market VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        spend {MONEY} NOT NULL,
        incremental_revenue {MONEY} NOT NULL,
        incremental_revenue_se {MONEY} NOT NULL,
        currency VARCHAR NOT NULL,
        method VARCHAR NOT NULL,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fx_rates (
        date DATE NOT NULL,
        currency VARCHAR NOT NULL,
        per_base DECIMAL(24,10) NOT NULL,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS plans (
        id INTEGER PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        period VARCHAR NOT NULL,
        budget {MONEY} NOT NULL,
        objective VARCHAR NOT NULL,
        inputs JSON NOT NULL,
        lines JSON NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rule_log (
        id INTEGER PRIMARY KEY,
        applied_at TIMESTAMP NOT NULL,
        for_date DATE NOT NULL,
        rule VARCHAR NOT NULL,
        line VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        before JSON,
        after JSON,
        metrics JSON,
        undone BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE IF NOT EXISTS models (
        name VARCHAR PRIMARY KEY,
        saved_at TIMESTAMP NOT NULL,
        model_version VARCHAR NOT NULL,
        data_hash VARCHAR NOT NULL,
        config_hash VARCHAR NOT NULL,
        payload BLOB NOT NULL
    );
    """,
    # version 2: lift tests may compare two spend levels (a scale test); 0 = a holdout
    f"""
    ALTER TABLE lift_tests ADD COLUMN baseline_spend {MONEY} DEFAULT 0;
    """,
    # version 3: the platform's campaign id, so a campaign renamed between exports stays one
    """
    ALTER TABLE ad_daily ADD COLUMN campaign_id VARCHAR DEFAULT '';
    UPDATE ad_daily SET campaign_id = '' WHERE campaign_id IS NULL;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
