"""IMDb and TMDB ids of the sample person's films and shows (the real ones), shared by the Trakt and IMDb
writers so her Trakt history, her IMDb ratings and her Letterboxd diary name the same works."""

from __future__ import annotations

# title → (imdb, tmdb)
FILM_IDS: dict[str, tuple[str, int]] = {
    "Dune": ("tt1160419", 438631),
    "Dune: Part Two": ("tt15239678", 693134),
    "Arrival": ("tt2543164", 329865),
    "Never Let Me Go": ("tt1334260", 42188),
    "The Remains of the Day": ("tt0107943", 1245),
    "Blade Runner 2049": ("tt1856101", 335984),
    "Annihilation": ("tt2798920", 300668),
    "Jiro Dreams of Sushi": ("tt1772925", 80767),
    "14 Peaks: Nothing Is Impossible": ("tt14079374", 855452),
    "Love Actually": ("tt0314331", 508),
    "The Proposal": ("tt1041829", 18240),
}
SHOW_IDS: dict[str, tuple[str, int, int]] = {  # title → (imdb, tmdb, tvdb)
    "Salt Fat Acid Heat": ("tt8258244", 79593, 350665),
    "Midnight Diner: Tokyo Stories": ("tt6150576", 69851, 323283),
    "Dark": ("tt5753856", 70523, 334824),
}
