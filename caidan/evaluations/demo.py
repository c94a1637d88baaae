"""Demo evaluation data: the general indicator template (财预〔2020〕10号)."""

from __future__ import annotations

from .services.frameworks import default_template


def seed_evaluations(system) -> dict[str, int]:
    from .models import Framework

    before = Framework.objects.filter(is_template=True).count()
    default_template(system)
    return {"indicator_templates": Framework.objects.filter(is_template=True).count() - before}
