"""The geometry rules every geometry entering Qala passes (forms, API, file imports, city packs)."""

# Every geometry is stored in WGS 84 longitude/latitude.
SRID = 4326

# The only spatial references Qala hands to GDAL: EPSG codes from this list.
# A user-supplied WKT or PROJ string never reaches GDAL.
ALLOWED_SRIDS: dict[int, str] = {
    4326: "WGS 84 (longitude/latitude)",
    3857: "WGS 84 / Pseudo-Mercator",
    32642: "WGS 84 / UTM zone 42N",
    32643: "WGS 84 / UTM zone 43N",
    32644: "WGS 84 / UTM zone 44N",
}
