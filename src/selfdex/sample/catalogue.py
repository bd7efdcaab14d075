"""The catalogue of the sample person's life: the books, films, shows, tracks, podcasts, products,
videos, searches and pages her exports mention, and the planted themes (:data:`THEMES`, the ground
truth). :mod:`.person` derives her dated activity from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    isbn13: str
    year: int
    pages: int
    genres: tuple[str, ...]
    theme: str | None
    rating: int  # 0 = not rated
    status: str = "read"  # read | currently-reading | to-read | abandoned
    review: str | None = None


@dataclass(frozen=True)
class Film:
    title: str
    year: int
    director: str
    genres: tuple[str, ...]
    theme: str | None
    rating: float  # Letterboxd stars 0.5–5, 0 = not rated
    adaptation_of: str | None = None  # book title
    on_netflix: bool = True
    review: str | None = None


@dataclass(frozen=True)
class Show:
    title: str
    seasons: tuple[tuple[int, tuple[str, ...]], ...]  # (season number, episode titles)
    theme: str | None
    genres: tuple[str, ...] = ()


@dataclass(frozen=True)
class Track:
    artist: str
    title: str
    album: str
    uri: str  # spotify:track:…
    duration_ms: int
    theme: str | None
    soundtrack_of: str | None = None  # film title


@dataclass(frozen=True)
class Podcast:
    show: str
    episodes: tuple[str, ...]
    theme: str | None


@dataclass(frozen=True)
class Product:
    title: str
    asin: str
    price: float
    category: str
    theme: str | None
    digital: bool = False


@dataclass(frozen=True)
class Video:
    title: str
    channel: str
    video_id: str
    theme: str | None


@dataclass(frozen=True)
class WebPage:
    title: str
    url: str
    theme: str | None


# ---- the catalogue of her life -------------------------------------------------------------------

BOOKS: tuple[Book, ...] = (
    Book(
        "Dune",
        "Frank Herbert",
        "9780441172719",
        1965,
        688,
        ("science fiction", "classics"),
        "dune",
        5,
        review="The desert as a character. I finally get why everyone talks about the spice.",
    ),
    Book("Dune Messiah", "Frank Herbert", "9780593098233", 1969, 352, ("science fiction",), "dune", 4),
    Book(
        "Children of Dune",
        "Frank Herbert",
        "9780593098240",
        1976,
        608,
        ("science fiction",),
        "dune",
        0,
        status="currently-reading",
    ),
    Book(
        "Stories of Your Life and Others",
        "Ted Chiang",
        "9781101972120",
        2002,
        304,
        ("science fiction", "short stories"),
        "arrival",
        5,
        review="Story of Your Life wrecked me, in the best way.",
    ),
    Book(
        "Exhalation",
        "Ted Chiang",
        "9781101947883",
        2019,
        368,
        ("science fiction", "short stories"),
        "arrival",
        5,
    ),
    Book(
        "Never Let Me Go", "Kazuo Ishiguro", "9781400078776", 2005, 288, ("literary fiction",), "ishiguro", 5
    ),
    Book(
        "Klara and the Sun",
        "Kazuo Ishiguro",
        "9780593318171",
        2021,
        320,
        ("literary fiction", "science fiction"),
        "ishiguro",
        4,
    ),
    Book(
        "The Remains of the Day",
        "Kazuo Ishiguro",
        "9780679731726",
        1989,
        245,
        ("literary fiction", "classics"),
        "ishiguro",
        5,
    ),
    Book(
        "Salt, Fat, Acid, Heat",
        "Samin Nosrat",
        "9781476753836",
        2017,
        480,
        ("cooking", "nonfiction"),
        "cooking",
        5,
    ),
    Book(
        "Japanese Farm Food",
        "Nancy Singleton Hachisu",
        "9781449418298",
        2012,
        384,
        ("cooking", "japan"),
        "cooking",
        4,
    ),
    Book(
        "Born to Run",
        "Christopher McDougall",
        "9780307279187",
        2009,
        304,
        ("running", "nonfiction"),
        "running",
        4,
    ),
    Book(
        "The Da Vinci Code",
        "Dan Brown",
        "9780307474278",
        2003,
        597,
        ("thriller",),
        None,
        2,
        review="Page-turner, but the characters are cardboard.",
    ),
    Book(
        "Infinite Jest",
        "David Foster Wallace",
        "9780316066525",
        1996,
        1079,
        ("literary fiction",),
        None,
        0,
        status="abandoned",
    ),
    Book(
        "Project Hail Mary",
        "Andy Weir",
        "9780593135204",
        2021,
        496,
        ("science fiction",),
        None,
        0,
        status="to-read",
    ),
)

FILMS: tuple[Film, ...] = (
    Film(
        "Dune",
        2021,
        "Denis Villeneuve",
        ("Science Fiction", "Adventure"),
        "dune",
        4.5,
        adaptation_of="Dune",
        review="Zimmer's score does half the storytelling.",
    ),
    Film(
        "Dune: Part Two",
        2024,
        "Denis Villeneuve",
        ("Science Fiction", "Adventure"),
        "dune",
        5.0,
        adaptation_of="Dune",
    ),
    Film(
        "Arrival",
        2016,
        "Denis Villeneuve",
        ("Science Fiction", "Drama"),
        "arrival",
        5.0,
        adaptation_of="Stories of Your Life and Others",
        review="Better than the story? Almost.",
    ),
    Film(
        "Never Let Me Go",
        2010,
        "Mark Romanek",
        ("Drama", "Romance", "Science Fiction"),
        "ishiguro",
        4.0,
        adaptation_of="Never Let Me Go",
    ),
    Film(
        "The Remains of the Day",
        1993,
        "James Ivory",
        ("Drama", "Romance"),
        "ishiguro",
        4.5,
        adaptation_of="The Remains of the Day",
        on_netflix=False,
    ),
    Film("Blade Runner 2049", 2017, "Denis Villeneuve", ("Science Fiction", "Drama"), None, 4.0),
    Film("Annihilation", 2018, "Alex Garland", ("Science Fiction", "Horror"), None, 4.0),
    Film("Jiro Dreams of Sushi", 2011, "David Gelb", ("Documentary",), "cooking", 4.5, on_netflix=False),
    Film("14 Peaks: Nothing Is Impossible", 2021, "Torquil Jones", ("Documentary",), "running", 3.5),
    Film(
        "Love Actually",
        2003,
        "Richard Curtis",
        ("Romance", "Comedy"),
        None,
        1.5,
        review="Not for me. Everyone is terrible to each other and calls it love.",
    ),
    Film("The Proposal", 2009, "Anne Fletcher", ("Romance", "Comedy"), None, 1.0),
)

SHOWS: tuple[Show, ...] = (
    Show("Salt Fat Acid Heat", ((1, ("Salt", "Fat", "Acid", "Heat")),), "cooking", ("Documentary", "Food")),
    Show(
        "Midnight Diner: Tokyo Stories",
        ((1, ("Tonjiru", "Red Sausage", "Chicken Wings", "Ham Cutlet")),),
        "cooking",
        ("Drama", "Japanese"),
    ),
    Show(
        "Dark",
        (
            (1, ("Secrets", "Lies", "Past and Present", "Double Lives")),
            (2, ("Beginnings and Endings", "Dark Matter")),
        ),
        None,
        ("Science Fiction", "Thriller"),
    ),
)

TRACKS: tuple[Track, ...] = (
    Track(
        "Hans Zimmer",
        "Paul's Dream",
        "Dune (Original Motion Picture Soundtrack)",
        "spotify:track:3zVNcG2nUdJvWw5Mr3MUeJ",
        352_000,
        "dune",
        "Dune",
    ),
    Track(
        "Hans Zimmer",
        "Ripples in the Sand",
        "Dune (Original Motion Picture Soundtrack)",
        "spotify:track:6ZbFd7Ve2vQhCSJPMPNygd",
        235_000,
        "dune",
        "Dune",
    ),
    Track(
        "Hans Zimmer",
        "Song of the Sisters",
        "Dune (Original Motion Picture Soundtrack)",
        "spotify:track:0jSTxPMGQVJRUZTEfyBCDh",
        226_000,
        "dune",
        "Dune",
    ),
    Track(
        "Hans Zimmer",
        "A Time of Quiet Between the Storms",
        "Dune: Part Two (Original Motion Picture Soundtrack)",
        "spotify:track:1nrMH3Tvc4JgrAeMm0nCwY",
        268_000,
        "dune",
        "Dune: Part Two",
    ),
    Track(
        "Jóhann Jóhannsson",
        "Heptapod B",
        "Arrival (Original Motion Picture Soundtrack)",
        "spotify:track:1N5F3C8mMYH4aX3ZqGmJn4",
        303_000,
        "arrival",
        "Arrival",
    ),
    Track(
        "Max Richter",
        "On the Nature of Daylight",
        "The Blue Notebooks",
        "spotify:track:1BncfTJAWxrsxyT9culBrj",
        382_000,
        "arrival",
        "Arrival",
    ),
    Track(
        "Rachel Portman",
        "Never Let Me Go",
        "Never Let Me Go (Original Motion Picture Soundtrack)",
        "spotify:track:5J3hE1Z8fR0GgqVqHy5oQ2",
        187_000,
        "ishiguro",
        "Never Let Me Go",
    ),
    Track(
        "Radiohead",
        "Weird Fishes/Arpeggi",
        "In Rainbows",
        "spotify:track:4wajJ1o7jWIg62YqpkHC7S",
        318_000,
        "music",
    ),
    Track("Radiohead", "Reckoner", "In Rainbows", "spotify:track:02ppMPbg1OtEdHgoPqoqju", 290_000, "music"),
    Track(
        "Radiohead",
        "Everything In Its Right Place",
        "Kid A",
        "spotify:track:2kRFrWaLWiKq48YYVdGcm8",
        251_000,
        "music",
    ),
    Track("Nils Frahm", "Says", "Spaces", "spotify:track:1Ex4Sj9dGz1Ov7kP4K1qyB", 498_000, "music"),
    Track("Nils Frahm", "Ambre", "Wintermusik", "spotify:track:0cH0Cn3FnFEvLqGdRbq2hC", 206_000, "music"),
    Track("Bonobo", "Kerala", "Migration", "spotify:track:4sqZtvyCcJ0jnsxMHwT2Ps", 243_000, "running"),
    Track(
        "Bonobo", "Cirrus", "The North Borders", "spotify:track:6hQ8p5h2xJ4GmJGJ5yOGV8", 347_000, "running"
    ),
    Track(
        "Khruangbin",
        "Maria También",
        "Con Todo El Mundo",
        "spotify:track:5MQsgRhCDFFmTCFsWMGRkt",
        191_000,
        "music",
    ),
    Track(
        "Khruangbin",
        "Time (You and I)",
        "Mordechai",
        "spotify:track:2YvFHmpWZYaLJqFjKk7JoC",
        264_000,
        "music",
    ),
    Track(
        "Dua Lipa", "Levitating", "Future Nostalgia", "spotify:track:463CkQjx2Zk1yXoBuierM9", 203_000, None
    ),
    Track("Ed Sheeran", "Shape of You", "÷ (Deluxe)", "spotify:track:7qiZfU4dY1lWllzX7mPBI3", 233_000, None),
)
SKIPPED_ARTISTS = frozenset({"Dua Lipa", "Ed Sheeran"})  # played, skipped within seconds: a dislike

PODCASTS: tuple[Podcast, ...] = (
    Podcast(
        "Trail Runner Nation",
        ("Zone 2 Training Explained", "Hydration on Long Runs", "Racing Your First Ultra"),
        "running",
    ),
    Podcast("Home Cooking", ("Japanese Pantry Basics", "What to Do With Miso"), "cooking"),
    Podcast("The Dune Pod", ("Dune Part Two Review", "The Book vs the Film"), "dune"),
)

PRODUCTS: tuple[Product, ...] = (
    Product("Dune Deluxe Edition (Hardcover) – Frank Herbert", "059309932X", 37.99, "Books", "dune"),
    Product("Exhalation: Stories – Ted Chiang (Paperback)", "1101972084", 16.00, "Books", "arrival"),
    Product("Shun Classic 8-inch Chef's Knife", "B0000Y7KNQ", 169.95, "Kitchen", "cooking"),
    Product("Kinto Kakomi Donabe Rice Cooker, 2.5 L", "B07CZ6G2MN", 89.00, "Kitchen", "cooking"),
    Product("Kewpie Japanese Mayonnaise 500 g", "B003MYZ7N2", 7.49, "Grocery", "cooking"),
    Product("Salomon Speedcross 6 Trail Running Shoes", "B0BS1P7HCR", 139.99, "Sports", "running"),
    Product("Petzl ACTIK CORE Headlamp", "B08L5XK4K5", 69.95, "Sports", "running"),
    Product("Dune: Part Two (4K Ultra HD + Blu-ray)", "B0CW1RN2BL", 24.99, "Movies & TV", "dune"),
    Product("Never Let Me Go (Kindle Edition)", "B000SEGJ4M", 9.99, "Kindle Store", "ishiguro", digital=True),
    Product("USB-C Charging Cable 2 m", "B07THJGZ9Z", 9.99, "Electronics", None),
)

VIDEOS: tuple[Video, ...] = (
    Video("Dune: Part Two – Official Trailer 3", "Warner Bros. Pictures", "U2Qp5pL3ovA", "dune"),
    Video("The Ecology of Dune, Explained", "The Royal Ocean Film Society", "Ykq-tm8lvnM", "dune"),
    Video("Hans Zimmer – Dune Soundtrack Live", "Hans Zimmer", "n7gBy9ypvZE", "dune"),
    Video("How Arrival's Language Was Created", "Vox", "Pm6Tn6SMsMA", "arrival"),
    Video("Dashi Stock (Japanese Soup Stock) 2 Ways", "Just One Cookbook", "Pc4cWCBSCWc", "cooking"),
    Video("How to Make Tonkotsu Ramen at Home", "Way of Ramen", "KfOwM3e6xZA", "cooking"),
    Video("Knife Skills: How to Sharpen a Japanese Knife", "Burrfection", "sPvVPEcOgT0", "cooking"),
    Video("Kilian Jornet – Trail Running Technique", "Salomon TV", "rA0hxSaVHo4", "running"),
    Video("Radiohead – Weird Fishes (From the Basement)", "Radiohead", "5Xmi0RBE_HA", "music"),
    Video("Nils Frahm – Says (Live at Funkhaus)", "Nils Frahm", "dIwwjy4slI8", "music"),
)

SEARCHES: tuple[tuple[str, str | None], ...] = (
    ("dune part two showtimes berlin", "dune"),
    ("frank herbert dune reading order", "dune"),
    ("ted chiang story of your life arrival differences", "arrival"),
    ("kazuo ishiguro new book", "ishiguro"),
    ("how to make dashi from kombu", "cooking"),
    ("best japanese chef knife for beginners", "cooking"),
    ("trail running shoes wide toe box", "running"),
    ("grunewald trail running route", "running"),
    ("radiohead tour 2025", "music"),
    ("weather berlin weekend", None),
)

WEB_PAGES: tuple[WebPage, ...] = (
    WebPage("Dune (novel) - Wikipedia", "https://en.wikipedia.org/wiki/Dune_(novel)", "dune"),
    WebPage("Dune: Part Two (2024) - IMDb", "https://www.imdb.com/title/tt15239678/", "dune"),
    WebPage("Ted Chiang - Wikipedia", "https://en.wikipedia.org/wiki/Ted_Chiang", "arrival"),
    WebPage("Easy Japanese Recipes - Just One Cookbook", "https://www.justonecookbook.com/", "cooking"),
    WebPage("How to Make Dashi - Serious Eats", "https://www.seriouseats.com/how-to-make-dashi", "cooking"),
    WebPage(
        "Trail Running Berlin: 10 Routes - Komoot",
        "https://www.komoot.com/guide/trail-running-berlin",
        "running",
    ),
    WebPage(
        "Kazuo Ishiguro - The Nobel Prize",
        "https://www.nobelprize.org/prizes/literature/2017/ishiguro/facts/",
        "ishiguro",
    ),
    WebPage("Berlin Wetter - wetter.com", "https://www.wetter.com/deutschland/berlin/DE0001020.html", None),
)

# Ground truth: each planted theme and where it shows. Platform names are selfdex platform ids.
THEMES: dict[str, dict[str, object]] = {
    "dune": {
        "label": "Dune / Frank Herbert",
        "creators": ("Frank Herbert", "Denis Villeneuve", "Hans Zimmer"),
    },
    "arrival": {
        "label": "Ted Chiang / Arrival",
        "creators": ("Ted Chiang", "Jóhann Jóhannsson", "Max Richter"),
    },
    "ishiguro": {"label": "Kazuo Ishiguro", "creators": ("Kazuo Ishiguro",)},
    "cooking": {
        "label": "Japanese home cooking",
        "creators": ("Samin Nosrat", "Nancy Singleton Hachisu", "Just One Cookbook"),
    },
    "running": {"label": "Trail running", "creators": ("Christopher McDougall", "Bonobo")},
    "music": {
        "label": "Radiohead, Nils Frahm, Khruangbin",
        "creators": ("Radiohead", "Nils Frahm", "Khruangbin"),
    },
}
DISLIKES = {
    "films": ("Love Actually", "The Proposal"),
    "books": ("The Da Vinci Code",),
    "abandoned": ("Infinite Jest",),
    "skipped_artists": tuple(sorted(SKIPPED_ARTISTS)),
}
