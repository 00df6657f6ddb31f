"""Writes that touch a project and its timeline or history together, each in one transaction."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_data.formats import format_moment
from gis_data.models import District
from projects.models import Project, Status, StatusChange, city_metric_srid, measure_sql

# Fields a restore leaves as they are: who created the project and when, whether it is a demo,
# and what is derived again from the restored geometry on save.
NOT_RESTORED = frozenset({"id", "created_by", "created_at", "updated_at", "is_demo", "length_m", "area_m2"})
# simple-history's change reason is a CharField(max_length=100).
REASON_LENGTH = 100


def _status_label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


@contextmanager
def _recorded_as(project: Project, user, reason: str | None = None) -> Iterator[None]:
    """Make the history record of the saves inside say who made them and why.

    simple-history reads ``_history_user`` and ``_change_reason`` from the
    instance; both are removed afterwards so a later save does not repeat them.
    (In a request, HistoryRequestMiddleware already knows the user; a command or
    a test does not.)
    """
    project._history_user = user
    if reason:
        project._change_reason = reason[:REASON_LENGTH]
    try:
        yield
    finally:
        for attribute in ("_history_user", "_change_reason"):
            project.__dict__.pop(attribute, None)


@transaction.atomic
def create_project(project: Project, *, user) -> Project:
    """Check and save a new project, and start its timeline with its status, dated today.

    The project's rules (title, dates in order, geometry for its category inside
    the city) are checked here too, so no caller can save a project a form would refuse.
    """
    if project.pk is not None:
        raise ValueError("create_project saves new projects only")
    project.full_clean()
    project.created_by = user
    with _recorded_as(project, user):
        project.save()
    StatusChange.objects.create(
        project=project, status=project.status, date=timezone.localdate(), changed_by=user, note=""
    )
    return project


@transaction.atomic
def change_status(project: Project, status: str, *, date: datetime.date, note: str = "", user) -> StatusChange:
    """Move a project to ``status`` on ``date`` and record the step on its timeline.

    Refused with a ValidationError when TRANSITIONS does not allow the move,
    when the date is in the future or before the timeline's last step, or when
    the project's actual dates would fall out of order. Construction fills the
    actual start and completion the actual end, when they are empty.
    """
    # Locked and read again, so two urbanists moving the same project cannot both pass the checks.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    project.refresh_from_db(fields=["status", "actual_start", "actual_end"])
    if status not in project.next_statuses:
        raise ValidationError(
            _("A project cannot move from “%(current)s” to “%(new)s”."),
            code="transition",
            params={"current": _status_label(project.status), "new": _status_label(status)},
        )
    if date > timezone.localdate():
        raise ValidationError(_("The date of a status change cannot be in the future."), code="future")
    last = project.status_changes.order_by("date", "recorded_at", "pk").last()
    if last is not None and date < last.date:
        raise ValidationError(
            _("The date is before the last change of status (%(status)s on %(date)s)."),
            code="before_last",
            params={"status": last.get_status_display(), "date": date_format(last.date)},
        )
    if status == Status.CONSTRUCTION and project.actual_start is None:
        project.actual_start = date
    if status == Status.COMPLETED:
        if project.actual_start is not None and project.actual_start > date:
            raise ValidationError(
                _("The works started on %(start)s: they cannot be completed before that, on %(date)s."),
                code="dates",
                params={"start": date_format(project.actual_start), "date": date_format(date)},
            )
        if project.actual_end is None:
            project.actual_end = date
    if project.actual_start and project.actual_end and project.actual_end < project.actual_start:
        raise ValidationError(
            _("The works would start on %(start)s, after their end on %(end)s."),
            code="dates",
            params={"start": date_format(project.actual_start), "end": date_format(project.actual_end)},
        )
    project.status = status
    reason = gettext("Status: %(status)s") % {"status": _status_label(status)}
    with _recorded_as(project, user, reason):
        project.save(update_fields=["status", "actual_start", "actual_end", "updated_at"])
    return StatusChange.objects.create(project=project, status=status, date=date, note=note, changed_by=user)


@transaction.atomic
def set_published(project: Project, published: bool, *, user) -> None:
    """Publish a project (everyone sees it) or take it back to draft (only editors see it)."""
    if project.is_published == published:
        return
    project.is_published = published
    reason = gettext("Published") if published else gettext("Unpublished")
    with _recorded_as(project, user, reason):
        project.save(update_fields=["is_published", "updated_at"])


@transaction.atomic
def restore_version(project: Project, history_id: int, *, user) -> Project:
    """Bring back every field of one earlier version of ``project`` (geometry included) as a new version.

    Length, area and districts are derived again from the restored geometry.
    When the restored status differs from the current one, the timeline gets a
    step dated today that says so. Raises ``Project.history.model.DoesNotExist``
    when ``history_id`` is not a version of this project.
    """
    record = project.history.get(history_id=history_id)
    previous_status = project.status
    for field in Project._meta.concrete_fields:
        if field.name not in NOT_RESTORED:
            setattr(project, field.attname, getattr(record, field.attname))
    when = format_moment(record.history_date)
    reason = gettext("Restored version of %(date)s") % {"date": when}
    with _recorded_as(project, user, reason):
        project.save()
    if project.status != previous_status:
        StatusChange.objects.create(
            project=project,
            status=project.status,
            date=timezone.localdate(),
            note=reason[: StatusChange._meta.get_field("note").max_length],
            changed_by=user,
        )
    return project


def refresh_derived(queryset: QuerySet[Project] | None = None) -> int:
    """Derive length, area and districts again for the projects of ``queryset`` (all by default).

    For when the districts or the city's metric spatial reference change under
    the projects (a city pack reload): one UPDATE for the metrics and one
    INSERT ... SELECT for the districts, not a save per project, so no history
    record is written (the projects themselves did not change). Returns the
    number of projects refreshed.
    """
    queryset = Project.objects.all() if queryset is None else queryset
    ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
    length, area = measure_sql("geom", city_metric_srid())
    project_table = Project._meta.db_table
    through = Project.districts.through._meta
    district_table = District._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Table names come from the models and the ids from the ORM's own SQL, never from input.
        cursor.execute(
            f"UPDATE {project_table} SET "  # noqa: S608 (see above)
            f"length_m = CASE WHEN ST_Dimension(geom) = 1 THEN {length} END, "
            f"area_m2 = CASE WHEN ST_Dimension(geom) = 2 THEN {area} END "
            f"WHERE id IN ({ids_sql})",
            ids_params,
        )
        refreshed = cursor.rowcount
        cursor.execute(f"DELETE FROM {through.db_table} WHERE project_id IN ({ids_sql})", ids_params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {through.db_table} (project_id, district_id) "  # noqa: S608 (see above)
            f"SELECT p.id, d.id FROM {project_table} p JOIN {district_table} d ON ST_Intersects(p.geom, d.geom) "
            f"WHERE p.id IN ({ids_sql})",
            ids_params,
        )
    return refreshed
