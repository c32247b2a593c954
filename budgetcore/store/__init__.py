"""Storage: the tables, engines, schema upgrades, maintained aggregates and snapshots."""
