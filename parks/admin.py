# The admin of each part of the parks app lives next to its services; importing them registers them.
from parks import concept_admin, park_admin, planting_admin  # noqa: F401
