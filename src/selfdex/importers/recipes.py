"""How to request a fresh export, per platform: which page, which boxes, which format. Shown by
``selfdex sources`` next to how old the newest imported export is. One short line each; a test checks
that every registered importer's platform has one."""

from __future__ import annotations

RECIPES: dict[str, str] = {
    "amazon": "amazon.com/hz/privacy-central/data-requests/preview.html → Request Your Data → 'Your Orders'; "
    "the link arrives by e-mail in days.",
    "apple_health": "iPhone Health app → profile picture → Export All Health Data → share export.zip.",
    "apple_music": "privacy.apple.com → Obtain a copy of your data → 'Apple Media Services information'.",
    "bank": "Your bank's online banking → account → export transactions as CSV (DKB: 'CSV-Export') or OFX/QFX.",
    "calendar": "takeout.google.com → deselect all → Calendar (iCalendar format); or export .ics from your app.",
    "chatgpt": "chatgpt.com → Settings → Data controls → Export data; the zip link arrives by e-mail.",
    "selfdex": "selfdex profile export --token TOKEN --format pam (a profile you exported and imported back).",
    "chrome": "takeout.google.com → deselect all → Chrome → 'History' (JSON).",
    "claude": "claude.ai → Settings → Privacy → Export data; the link arrives by e-mail.",
    "discord": "Discord → User Settings → Data & Privacy → Request all of my data (tick Messages); up to 30 days.",
    "facebook": "Facebook → Settings → Accounts Center → Your information and permissions → Download your "
    "information → format JSON, date range 'All time'.",
    "goodreads": "goodreads.com/review/import → Export Library; download the CSV when it is ready.",
    "google": "takeout.google.com → deselect all → My Activity → format JSON (the default is HTML).",
    "google_fit": "takeout.google.com → deselect all → Fit (daily activity metrics and sessions).",
    "google_maps": "Google Maps app → Settings → Personal content → Export Timeline data (on-device Timeline); "
    "older accounts: takeout.google.com → Location History.",
    "imdb": "imdb.com → Your Ratings → ⋯ → Export; Watchlist → ⋯ → Export (CSV).",
    "instagram": "Instagram → Settings → Accounts Center → Download your information → format JSON, 'All time'.",
    "instapaper": "instapaper.com/user → Export → CSV.",
    "kindle": "Connect the Kindle by USB and copy documents/My Clippings.txt.",
    "lastfm": "lastfm.ghan.nl/export → your user name → CSV (scrobbles).",
    "letterboxd": "letterboxd.com/settings/data → Export your data (zip of CSVs).",
    "linkedin": "LinkedIn → Settings → Data privacy → Get a copy of your data → 'Download larger data archive'.",
    "gemini": "takeout.google.com → deselect all → My Activity → 'Gemini Apps' only, format JSON.",
    "gmail": "takeout.google.com → deselect all → Mail (mbox format).",
    "mail": "takeout.google.com → deselect all → Mail (mbox); or export an mbox from Thunderbird/Apple Mail.",
    "netflix": "netflix.com/account/getmyinfo → Submit request; confirm the e-mail, download when ready.",
    "obsidian": "Point selfdex at your vault folder; nothing to request.",
    "pam": "selfdex profile export --format pam (from selfdex), or a PAM converter's memory-store.json for "
    "another assistant's memories.",
    "pocket": "getpocket.com/export → Export CSV/HTML.",
    "reddit": "reddit.com/settings/data-request → GDPR/CCPA request → 'All time'; the zip link arrives by message.",
    "spotify": "spotify.com/account/privacy → tick 'Extended streaming history' (and Account data) → Request.",
    "storygraph": "app.thestorygraph.com → Manage account → Export StoryGraph library (CSV).",
    "strava": "strava.com/athlete/delete_your_account → Download Request (bulk export, e-mailed zip).",
    "telegram": "Telegram Desktop → Settings → Advanced → Export Telegram data → format 'Machine-readable JSON'.",
    "tiktok": "TikTok → Settings and privacy → Account → Download your data → format JSON → Request.",
    "trakt": "trakt.tv → Settings → Data → Export (zip of JSON files).",
    "twitter": "x.com → Settings → Your account → Download an archive of your data.",
    "uber": "myprivacy.uber.com → Download your data; the zip includes Rider/trips_data.csv.",
    "whatsapp": "WhatsApp → the chat → ⋮ / contact name → Export chat (with or without media).",
    "youtube": "takeout.google.com → deselect all → YouTube and YouTube Music → history format JSON.",
}


def recipe(platform: str) -> str | None:
    return RECIPES.get(platform)
