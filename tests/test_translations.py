"""The Kazakh and Russian catalogues are complete: every string in the code is translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ("kk", "ru")


@pytest.fixture(scope="module")
def regenerated_catalogues(tmp_path_factory) -> dict[str, polib.POFile]:
    """The catalogues as `makemessages` makes them from today's code, in a copy of the repository.

    A string added to the code and missing from a catalogue shows up here as an
    untranslated entry, without touching the working tree.
    """
    copy = tmp_path_factory.mktemp("repository")
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = settings.BASE_DIR / name
        if source.is_file() and not name.startswith("static/vendor/"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-obsolete",
            "--no-location",
            *(f"-l{lang}" for lang in LANGUAGES),
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=True,
    )
    return {lang: polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po")) for lang in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_translated(regenerated_catalogues, language):
    catalogue = regenerated_catalogues[language]
    missing = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]

    assert missing == [], f"untranslated in {language}: run makemessages and translate these"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_marked_fuzzy(regenerated_catalogues, language):
    fuzzy = [entry.msgid for entry in regenerated_catalogues[language].fuzzy_entries()]

    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_original(language):
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
    broken = []
    for entry in catalogue.translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        )
        for original, translation in pairs:
            if sorted(_placeholders(original)) != sorted(_placeholders(translation)):
                broken.append((original, translation))

    assert broken == []


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\([a-z_]+\)[sdr]|\{[a-z_]*\}", text)
