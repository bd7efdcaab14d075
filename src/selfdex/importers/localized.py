"""Known localized names of export files, folders, CSV headers and month names, in one table.

Platforms write their exports in the account's language: Google Takeout's folders (``Standortverlauf/``,
``Kalender/``, ``Meine Aktivitäten/``) and some file names (``Verlauf.json``), Strava's CSV headers
(``Aktivitäts-ID,Aktivitätsdatum,…``), dates in HTML pages and CSVs (``5. Okt. 2014``). Importers
recognise by structure first; where a name or header still matters they look it up here, so a newly met
spelling is added once, in this file, for every importer.

Every spelling is lower-cased; look names up with :func:`canonical` (or :func:`has_folder` for an
entry's path) rather than comparing to English literals.
"""

from __future__ import annotations

import unicodedata

from ..archive import Entry

__all__ = [
    "FILE_NAMES",
    "FOLDERS",
    "MONTHS",
    "STRAVA_COLUMNS",
    "canonical",
    "english_month",
    "has_folder",
    "spellings",
]

# Google Takeout (and Apple) folder names: canonical English name → known spellings.
FOLDERS: dict[str, tuple[str, ...]] = {
    "takeout": ("takeout",),
    "location history": (
        "location history",
        "location history (timeline)",
        "standortverlauf",
        "standortverlauf (zeitachse)",
        "historique des positions",
        "historial de ubicaciones",
        "cronologia delle posizioni",
        "locatiegeschiedenis",
    ),
    "semantic location history": (
        "semantic location history",
        "semantischer standortverlauf",
        "historique des positions sémantiques",
    ),
    "calendar": ("calendar", "kalender", "agenda", "calendario", "calendrier"),
    "mail": ("mail", "e-mail", "gmail", "courrier", "correo"),
    "my activity": (
        "my activity",
        "myactivity",
        "meine aktivitäten",
        "meineaktivitäten",
        "mes activités",
        "mi actividad",
        "le mie attività",
    ),
    "youtube and youtube music": (
        "youtube and youtube music",
        "youtube und youtube music",
        "youtube et youtube music",
        "youtube y youtube music",
        "youtube",
    ),
    "history": ("history", "verlauf", "historique", "historial", "cronologia"),
    "chrome": ("chrome",),
    "apple_health_export": ("apple_health_export", "apple health export", "health export"),
    "workout-routes": ("workout-routes",),
}

# File names that are localized: canonical English name → known spellings.
FILE_NAMES: dict[str, tuple[str, ...]] = {
    "history.json": ("history.json", "browserhistory.json", "verlauf.json", "historique.json"),
    "myactivity.html": (
        "myactivity.html",
        "my activity.html",
        "meineaktivitäten.html",
        "meine aktivitäten.html",
        "mesactivités.html",
        "mes activités.html",
    ),
    "all mail including spam and trash.mbox": (
        "all mail including spam and trash.mbox",
        "alle e-mails einschließlich spam und papierkorb.mbox",
    ),
    "my clippings.txt": ("my clippings.txt",),
}

# Strava activities.csv: canonical field → header spellings, English first, then localized, then the
# pre-2019 snake_case layout.
STRAVA_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "aktivitäts-id", "id de l'activité", "id de actividad", "id attività", "id"),
    "date": (
        "activity date",
        "aktivitätsdatum",
        "date de l'activité",
        "fecha de la actividad",
        "data attività",
        "date",
    ),
    "name": (
        "activity name",
        "name der aktivität",
        "aktivitätsname",
        "nom de l'activité",
        "nombre de la actividad",
        "nome attività",
        "name",
    ),
    "type": (
        "activity type",
        "aktivitätsart",
        "aktivitätstyp",
        "type d'activité",
        "tipo de actividad",
        "tipo di attività",
        "type",
    ),
    "description": (
        "activity description",
        "aktivitätsbeschreibung",
        "beschreibung der aktivität",
        "description de l'activité",
        "descripción de la actividad",
        "description",
    ),
    "elapsed": (
        "elapsed time",
        "verstrichene zeit",
        "temps écoulé",
        "tiempo transcurrido",
        "tempo trascorso",
        "elapsed_time",
    ),
    "moving": ("moving time", "bewegungszeit", "temps de déplacement", "tiempo en movimiento", "moving_time"),
    "distance": ("distance", "distanz", "distancia", "distanza"),
    "elevation_gain": ("elevation gain", "höhenzunahme", "dénivelé positif", "desnivel positivo"),
    "avg_hr": ("average heart rate", "durchschnittliche herzfrequenz", "fréquence cardiaque moyenne"),
    "max_hr": ("max heart rate", "max. herzfrequenz", "fréquence cardiaque max."),
    "calories": ("calories", "kalorien", "calorías", "calorie"),
    "gear": ("activity gear", "aktivitätsausrüstung", "équipement de l'activité", "gear"),
    "commute": ("commute", "pendeln", "trajet domicile-travail", "desplazamiento"),
    "filename": ("filename", "dateiname", "nom du fichier", "nombre de archivo"),
}

# Month names and abbreviations (German, French, Spanish, Italian, Dutch) → English abbreviation.
MONTHS: dict[str, str] = {
    # German
    "jan": "Jan", "januar": "Jan", "jän": "Jan", "jänner": "Jan", "feb": "Feb", "februar": "Feb",
    "mär": "Mar", "märz": "Mar", "mrz": "Mar", "apr": "Apr", "april": "Apr", "mai": "May",
    "jun": "Jun", "juni": "Jun", "jul": "Jul", "juli": "Jul", "aug": "Aug", "august": "Aug",
    "sep": "Sep", "sept": "Sep", "september": "Sep", "okt": "Oct", "oktober": "Oct",
    "nov": "Nov", "november": "Nov", "dez": "Dec", "dezember": "Dec",
    # French
    "janv": "Jan", "janvier": "Jan", "févr": "Feb", "février": "Feb", "mars": "Mar", "avr": "Apr",
    "avril": "Apr", "juin": "Jun", "juil": "Jul", "juillet": "Jul", "août": "Aug", "oct": "Oct",
    "octobre": "Oct", "novembre": "Nov", "déc": "Dec", "décembre": "Dec",
    # Spanish
    "ene": "Jan", "enero": "Jan", "febrero": "Feb", "marzo": "Mar", "abr": "Apr", "abril": "Apr",
    "may": "May", "mayo": "May", "junio": "Jun", "julio": "Jul", "ago": "Aug", "agosto": "Aug",
    "septiembre": "Sep", "octubre": "Oct", "noviembre": "Nov", "dic": "Dec", "diciembre": "Dec",
    # Italian
    "gen": "Jan", "gennaio": "Jan", "febbraio": "Feb", "aprile": "Apr", "maggio": "May",
    "mag": "May", "giu": "Jun", "giugno": "Jun", "lug": "Jul", "luglio": "Jul", "set": "Sep",
    "settembre": "Sep", "ott": "Oct", "ottobre": "Oct", "dicembre": "Dec",
    # Dutch
    "mrt": "Mar", "mei": "May",
}  # fmt: skip
_ENGLISH_MONTHS = frozenset(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)


def _norm(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower()


def spellings(table: dict[str, tuple[str, ...]], key: str) -> frozenset[str]:
    """Every known spelling of ``key`` in ``table`` (lower-cased, NFC)."""
    return frozenset(_norm(s) for s in table.get(key, ())) | {_norm(key)}


def canonical(table: dict[str, tuple[str, ...]], name: str) -> str | None:
    """The canonical (English) name of a localized ``name``, or None when unknown."""
    wanted = _norm(name)
    for key, names in table.items():
        if wanted == key or wanted in (_norm(n) for n in names):
            return key
    return None


def has_folder(entry: Entry, key: str) -> bool:
    """Whether any folder on the entry's path is ``key`` (a :data:`FOLDERS` key) in any known language."""
    names = spellings(FOLDERS, key)
    return any(_norm(p) in names for p in entry.parts[:-1])


def english_month(word: str) -> str | None:
    """``"Okt."`` → ``"Oct"``; English names and abbreviations pass through; None when unknown."""
    w = _norm(word).rstrip(".")
    if w in MONTHS:
        return MONTHS[w]
    return w[:3].capitalize() if w.isascii() and w[:3] in _ENGLISH_MONTHS else None
