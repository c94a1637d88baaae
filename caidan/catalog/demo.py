"""Demo catalog (filled in by the catalog capability)."""


def seed_catalog(actor) -> dict[str, int]:
    return {}
