"""Procurement (招投标 / 政府采购, DOMAIN.md §3.4, §4.1, §4.2, §4.4): tenders, sealed bids,
the expert pool and panels, scoring (the pure engine in ``scoring``), awards and challenges."""
