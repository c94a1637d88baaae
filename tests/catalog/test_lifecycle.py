"""The version lifecycle (draft → published → retired; drafts may be discarded), the
immutability of published versions, and which version is current on a date."""

import datetime as dt
from decimal import Decimal

import pytest

from caidan.audit.models import AuditEvent
from caidan.catalog import services
from caidan.catalog.inputs import CatalogItemInput, CatalogVersionInput
from caidan.catalog.models import (
    TRANSITIONS,
    CatalogItem,
    CatalogVersion,
    VersionAction,
    VersionStatus,
)
from caidan.catalog.selectors import catalog_current
from caidan.common.errors import Conflict, DomainError, PermissionDenied, ValidationError

ACTIONS = {
    VersionAction.PUBLISH: services.catalog_version_publish,
    VersionAction.RETIRE: services.catalog_version_retire,
    VersionAction.DISCARD: services.catalog_version_discard,
}
# (start status, action) → resulting status, None for "deleted", or "refused"
EXPECTED = {
    (VersionStatus.DRAFT, VersionAction.PUBLISH): VersionStatus.PUBLISHED,
    (VersionStatus.DRAFT, VersionAction.RETIRE): "refused",
    (VersionStatus.DRAFT, VersionAction.DISCARD): None,
    (VersionStatus.PUBLISHED, VersionAction.PUBLISH): "refused",
    (VersionStatus.PUBLISHED, VersionAction.RETIRE): VersionStatus.RETIRED,
    (VersionStatus.PUBLISHED, VersionAction.DISCARD): "refused",
    (VersionStatus.RETIRED, VersionAction.PUBLISH): "refused",
    (VersionStatus.RETIRED, VersionAction.RETIRE): "refused",
    (VersionStatus.RETIRED, VersionAction.DISCARD): "refused",
}


def test_expected_table_matches_the_model_table():
    """The test walks every (status, action) pair, and agrees with TRANSITIONS."""
    assert set(EXPECTED) == {(s, a) for s in VersionStatus.values for a in VersionAction.values}
    for (status, action), outcome in EXPECTED.items():
        sources, target = TRANSITIONS[action]
        assert (status in sources) == (outcome != "refused")
        if outcome != "refused":
            assert target == outcome


def _version_in(status, make_draft, small_items, admin):
    version = make_draft(small_items)
    if status in (VersionStatus.PUBLISHED, VersionStatus.RETIRED):
        services.catalog_version_publish(version=version, actor=admin)
    if status == VersionStatus.RETIRED:
        services.catalog_version_retire(version=version, actor=admin)
    version.refresh_from_db()
    assert version.status == status
    return version


@pytest.mark.parametrize(("start", "action"), sorted(EXPECTED))
def test_transition(start, action, make_draft, small_items, admin):
    version = _version_in(start, make_draft, small_items, admin)
    outcome = EXPECTED[(start, action)]
    events = AuditEvent.objects.count()
    if outcome == "refused":
        with pytest.raises(Conflict) as exc:
            ACTIONS[action](version=version, actor=admin)
        assert exc.value.code == "bad_transition"
        assert version.name in exc.value.message
        version.refresh_from_db()
        assert version.status == start
        assert AuditEvent.objects.count() == events
        return
    ACTIONS[action](version=version, actor=admin)
    if outcome is None:
        assert not CatalogVersion.objects.filter(pk=version.pk).exists()
        assert not CatalogItem.objects.filter(version_id=version.pk).exists()
        event = AuditEvent.objects.filter(kind="catalog.version_discarded").latest("seq")
        assert event.old["items"] == len(small_items)
        return
    version.refresh_from_db()
    assert version.status == outcome
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.kind == f"catalog.version_{outcome}"
    assert event.target_id == str(version.pk)
    assert event.actor_label == "王财政（平台管理员）"


@pytest.mark.parametrize("username", ["purchaser", "provider", "resident", "registrar"])
@pytest.mark.parametrize("action", sorted(VersionAction.values))
def test_only_the_admin_changes_the_lifecycle(world, username, action, make_draft, small_items):
    version = make_draft(small_items)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](version=version, actor=world.actor(username))


def test_publish_needs_a_third_level_item(make_draft, admin):
    version = make_draft([("01", "基本公共服务", "", None, ""), ("0101", "养老服务", "", None, "")])
    with pytest.raises(Conflict, match="三级目录"):
        services.catalog_version_publish(version=version, actor=admin)


def test_publish_refuses_an_effective_date_not_after_the_published_ones(
    make_draft, small_items, admin
):
    current = catalog_current()
    early = make_draft(small_items, effective_date=current.effective_date - dt.timedelta(days=1))
    same = make_draft(small_items, effective_date=current.effective_date)
    for version in (early, same):
        with pytest.raises(ValidationError) as exc:
            services.catalog_version_publish(version=version, actor=admin)
        assert exc.value.field == "effective_date"
        assert current.name in exc.value.message
    later = make_draft(small_items, effective_date=dt.date(2031, 1, 1))
    services.catalog_version_publish(version=later, actor=admin)
    # now the bar is 2031: a 2030 draft is too early even though it is after today
    between = make_draft(small_items, effective_date=dt.date(2030, 6, 1))
    with pytest.raises(ValidationError, match="2031-01-01"):
        services.catalog_version_publish(version=between, actor=admin)


def test_published_version_is_immutable(make_draft, small_items, admin):
    version = make_draft(small_items)
    services.catalog_version_publish(version=version, actor=admin)
    item = CatalogItem.objects.get(version=version, code="010101")
    attempts = [
        lambda: services.catalog_item_create(
            version=version,
            actor=admin,
            data=CatalogItemInput.parse(code="010103", name="老年人探访", category="service"),
        ),
        lambda: services.catalog_item_update(item=item, actor=admin, changes={"name": "改名"}),
        lambda: services.catalog_item_update(
            item=item, actor=admin, changes={"guidance_price": "1.00"}
        ),
        lambda: services.catalog_item_delete(item=item, actor=admin),
        lambda: services.catalog_version_update(
            version=version, actor=admin, changes={"name": "改名"}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as exc:
            attempt()
        assert exc.value.code == "version_not_draft"
        assert "修订版草稿" in exc.value.message
    item.refresh_from_db()
    assert (item.name, item.guidance_price) == ("居家养老服务", Decimal("30.00"))
    services.catalog_version_retire(version=version, actor=admin)
    with pytest.raises(Conflict):
        services.catalog_item_update(item=item, actor=admin, changes={"name": "改名"})


def test_an_old_project_keeps_its_item_after_a_revision(make_draft, small_items, admin):
    v1 = make_draft(small_items, effective_date=dt.date(2030, 1, 1), name="2030年版")
    services.catalog_version_publish(version=v1, actor=admin)
    project_item = CatalogItem.objects.get(version=v1, code="010101")  # what a project holds
    before = {
        f.attname: getattr(project_item, f.attname)
        for f in CatalogItem._meta.concrete_fields
        if f.attname != "updated_at"
    }
    items_before = CatalogItem.objects.filter(version=v1).count()

    v2 = services.catalog_version_create(
        copy_from=v1,
        actor=admin,
        data=CatalogVersionInput.parse(name="2031年修订版", effective_date=dt.date(2031, 1, 1)),
    )
    copy = CatalogItem.objects.get(version=v2, code="010101")
    assert copy.pk != project_item.pk  # new rows, not shared ones
    assert CatalogItem.objects.filter(version=v2).count() == items_before
    assert copy.parent.version_id == v2.pk and copy.parent.parent.version_id == v2.pk
    services.catalog_item_update(
        item=copy, actor=admin, changes={"name": "居家养老综合服务", "guidance_price": "35.00"}
    )
    services.catalog_item_delete(
        item=CatalogItem.objects.get(version=v2, code="010102"), actor=admin
    )
    services.catalog_version_publish(version=v2, actor=admin)

    project_item.refresh_from_db()
    after = {f: getattr(project_item, f) for f in before}
    assert after == before
    assert project_item.version_id == v1.pk
    assert CatalogItem.objects.filter(version=v1).count() == items_before
    assert CatalogItem.objects.filter(version=v1, code="010102").exists()

    assert catalog_current(on=dt.date(2030, 12, 31)) == v1
    assert catalog_current(on=dt.date(2031, 1, 1)) == v2
    assert catalog_current(on=dt.date(2035, 1, 1)) == v2
    assert catalog_current(on=dt.date(2017, 6, 30)).name == "2016年8月修订版"
    assert catalog_current(on=dt.date(2017, 7, 1)).name == "2017年7月修订版"
    assert catalog_current(on=dt.date(2016, 7, 31)) is None
    # retiring the newest brings the one before it back as current; drafts never count
    services.catalog_version_retire(version=v2, actor=admin)
    make_draft(small_items, effective_date=dt.date(2032, 1, 1))
    assert catalog_current(on=dt.date(2035, 1, 1)) == v1


def test_create_version_validates_and_audits(admin):
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_create(
            actor=admin, data=CatalogVersionInput.parse(name=" ", effective_date="2030-01-01")
        )
    assert exc.value.field == "name"
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_create(
            actor=admin, data=CatalogVersionInput.parse(name="甲", effective_date="明年")
        )
    assert exc.value.field == "effective_date"
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_create(
            actor=admin,
            data=CatalogVersionInput.parse(name="2017年7月修订版", effective_date="2030-01-01"),
        )
    assert exc.value.code == "duplicate"
    source = catalog_current()
    version = services.catalog_version_create(
        copy_from=source,
        actor=admin,
        data=CatalogVersionInput.parse(name="2030年修订版", effective_date="2030-01-01"),
    )
    assert version.status == VersionStatus.DRAFT and version.copied_from == source
    event = AuditEvent.objects.filter(kind="catalog.version_created").latest("seq")
    assert event.new["copy_from"] == source.pk
    assert event.new["items_copied"] == CatalogItem.objects.filter(version=source).count()


def test_update_draft_metadata_is_audited(make_draft, admin):
    version = make_draft()
    services.catalog_version_update(
        version=version,
        actor=admin,
        changes={"name": "改过的名字", "effective_date": dt.date(2033, 3, 3)},
    )
    version.refresh_from_db()
    assert (version.name, version.effective_date) == ("改过的名字", dt.date(2033, 3, 3))
    event = AuditEvent.objects.filter(kind="catalog.version_updated").latest("seq")
    assert event.new == {"name": "改过的名字", "effective_date": "2033-03-03"}


def test_database_refuses_two_published_versions_on_one_date(make_draft, small_items, admin):
    """The service refuses first; the constraint is the last line."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    version = make_draft(small_items, effective_date=catalog_current().effective_date)
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )


def test_errors_are_domain_errors_with_readable_messages(make_draft, admin):
    version = make_draft()
    with pytest.raises(DomainError) as exc:
        services.catalog_version_publish(version=version, actor=admin)
    assert exc.value.message and exc.value.status_code == 409
