"""Roles: one Django group per role, with the permissions the role grants.

``ROLE_PERMISSIONS`` is the single place that says what a role may do. Each
entry is one of:

* ``"app_label"``: every permission of that app (add, change, delete and view
  on each of its models, and any custom permission it declares);
* ``"app_label.codename"``: one permission; the codename may be a shell-style
  pattern, so ``"parks.view_*"`` means view permission on every model of parks;
* ``"*"``: every permission of every app.

A new app grants its permissions by adding one line to the roles that need them.
``ensure_roles()`` runs after every ``migrate`` (see ``accounts.signals``), so
the groups always match this mapping: permissions given to a role group by hand
in the admin are taken away again at the next migrate.
"""

import logging
from collections.abc import Iterable
from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)

RESIDENT = "resident"
URBANIST = "urbanist"
MODERATOR = "moderator"
JURY = "jury"
ADMIN = "admin"
ROLES = (RESIDENT, URBANIST, MODERATOR, JURY, ADMIN)

# The roles that work in the Django admin, so their members are staff.
STAFF_ROLES = frozenset({URBANIST, ADMIN})

ALL_PERMISSIONS = "*"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    RESIDENT: [],
    # Urbanists edit projects, corridors, parks and their photos, and organise workshops with their
    # ballots, events and contests; categories are the admins' to add. Votes, registrations,
    # entries and scores they only read: those are the participants' own.
    URBANIST: [
        "gis_data",
        "photos",
        "projects.*_project",
        "projects.*_historicalproject",
        "projects.*_statuschange",
        "projects.view_category",
        "corridors",
        "parks",
        "participation.view_*",
        "participation.*_workshop",
        "participation.*_ballot",
        "participation.*_ballotitem",
        "participation.*_codebatch",
        "participation.*_event",
        "participation.*_contest",
        "participation.*_criterion",
    ],
    # Moderators publish and hide proposals and comments, and may answer for any department.
    MODERATOR: [
        "gis_data.view_*",
        "projects.view_*",
        "corridors.view_*",
        "parks.view_*",
        "photos.view_*",
        "participation.view_*",
        "participation.moderate_proposal",
        "participation.answer_proposal",
        # Contest entries that break the rules are hidden by moderators, as proposals are.
        "participation.change_entry",
    ],
    # Jury members score the entries of the contests whose jury they sit on (participation.contests).
    JURY: [
        "gis_data.view_*",
        "participation.view_contest",
        "participation.view_criterion",
        "participation.view_entry",
        "participation.*_score",
    ],
    ADMIN: [ALL_PERMISSIONS],
}


def permissions_for(entries: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> list[Permission]:
    """The permissions that the mapping's entries name; an entry that matches none is logged."""
    everything = list(Permission.objects.using(using).select_related("content_type"))
    chosen: dict[int, Permission] = {}
    for entry in entries:
        if entry == ALL_PERMISSIONS:
            matches = everything
        elif "." in entry:
            app_label, pattern = entry.split(".", 1)
            matches = [
                permission
                for permission in everything
                if permission.content_type.app_label == app_label and fnmatchcase(permission.codename, pattern)
            ]
        else:
            matches = [permission for permission in everything if permission.content_type.app_label == entry]
        if not matches:
            logger.warning("The role permission entry %r matches no permission.", entry)
        chosen.update((permission.pk, permission) for permission in matches)
    return list(chosen.values())


def ensure_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups that are missing and give each exactly the permissions of ``ROLE_PERMISSIONS``."""
    with transaction.atomic(using=using):
        for role, entries in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.using(using).get_or_create(name=role)
            group.permissions.set(permissions_for(entries, using))


def assign_role(user, role: str) -> None:
    """Put ``user`` in the group of ``role``; urbanists and admins also become staff, to use the admin."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; the roles are {', '.join(ROLES)}.")
    with transaction.atomic():
        group = Group.objects.filter(name=role).first()
        if group is None:
            ensure_roles()
            group = Group.objects.get(name=role)
        if role in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            if user.pk is not None:
                user.save(update_fields=["is_staff"])
        if user.pk is None:
            user.save()
        user.groups.add(group)


def has_role(user, role: str) -> bool:
    """Whether ``user`` is in the group of ``role``."""
    return user.is_authenticated and user.groups.filter(name=role).exists()
