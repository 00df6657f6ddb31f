"""Signals of the reference layers, so that domain apps can follow them without gis_data importing them."""

from django.dispatch import Signal

# Sent inside the loading transaction once a city pack has been loaded (not when an unchanged pack
# is skipped), with ``city``: apps re-derive what they compute from the reference layers.
city_pack_loaded = Signal()
