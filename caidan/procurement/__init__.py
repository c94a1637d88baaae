"""Procurement (招投标 / 政府采购, DOMAIN.md §3.4, §4.1). For now: the pure bid-evaluation
engine (``scoring``) and the ``score_check`` tool; the app (models, services) comes later."""
