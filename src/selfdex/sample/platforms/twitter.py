"""Twitter / X archive: ``twitter-<date>-<hash>.zip`` → ``data/tweets.js``, ``like.js``,
``personalization.js``, ``account-timezone.js``, ``manifest.js``; each a ``window.YTD.<type>.part0 = […]``
JavaScript assignment around pretty-printed JSON (``" : "`` separators, numbers as strings)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "twitter-2025-07-01-5f0c3e8a1b.zip"
ACCOUNT_ID = "1490211770934861824"

# (day, Berlin hour, text, hashtags)
TWEETS: tuple[tuple[date, int, str, tuple[str, ...]], ...] = (
    (
        date(2023, 3, 12),
        21,
        "Finished Dune. The desert as a character. #Dune #FrankHerbert",
        ("Dune", "FrankHerbert"),
    ),
    (
        date(2023, 6, 3),
        10,
        "28 km in the Grunewald this morning, legs are jelly #trailrunning",
        ("trailrunning",),
    ),
    (date(2023, 11, 19), 20, "Made dashi from kombu for the first time. Why did I ever buy the powder?", ()),
    (
        date(2024, 3, 2),
        23,
        "Dune: Part Two on the big screen. Zimmer's score shook the seats. #DunePartTwo",
        ("DunePartTwo",),
    ),
    (date(2024, 4, 11), 7, "Morning run along the Kamo river, Kyoto. Herons everywhere. #Kyoto", ("Kyoto",)),
    (
        date(2024, 4, 15),
        19,
        "Nishiki market: bought a donabe I absolutely cannot carry home #Kyoto",
        ("Kyoto",),
    ),
    (
        date(2024, 9, 8),
        22,
        "Re-reading Story of Your Life after Arrival. Heptapod B on repeat. #TedChiang",
        ("TedChiang",),
    ),
    (date(2025, 2, 16), 18, "Klara and the Sun: Ishiguro does it again, quietly devastating.", ()),
)
LIKES = (
    ("1762301958273415168", "The Ecology of Dune, explained: why Herbert wrote a book about water"),
    ("1780011402365960192", "Kyoto in April: 10 quiet temples away from the crowds"),
    ("1801847763001344000", "Trail running technique: look three steps ahead, not at your feet"),
    ("1822934051229990912", "Radiohead – Weird Fishes, live from the basement, still the best version"),
)
# Her one retweet: someone else's words, as the archive writes it ("RT @user: …", truncated with "…",
# "retweeted" false all the same).
RETWEET = (
    date(2024, 11, 23),
    9,
    "justonecookbook",
    "Just One Cookbook",
    "RT @justonecookbook: Homemade dashi in 10 minutes: kombu, katsuobushi and water. That's all it takes, "
    "and it keeps for 3 days in the fridge…",
)
INTERESTS = ("Science fiction", "Dune", "Trail running", "Japanese cuisine", "Kyoto", "Radiohead", "Books")


def _js(kind: str, data: Any) -> str:
    return f"window.YTD.{kind}.part0 = " + json.dumps(
        data, indent=2, ensure_ascii=False, separators=(",", " : ")
    )


def _ruby_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _retweet(person: Person) -> dict[str, Any]:
    rng = person.rand("twitter:retweet")  # its own stream: the other tweets stay as they were
    d, hour, screen_name, name, text = RETWEET
    tweet_id = str(1_860_000_000_000_000_000 + rng.randrange(10**15))
    return {
        "tweet": {
            "edit_info": {"initial": {"editTweetIds": [tweet_id], "editsRemaining": "5"}},
            "retweeted": False,
            "source": '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
            "entities": {
                "hashtags": [],
                "symbols": [],
                "user_mentions": [
                    {
                        "name": name,
                        "screen_name": screen_name,
                        "indices": ["3", str(4 + len(screen_name))],
                        "id_str": "281219437",
                        "id": "281219437",
                    }
                ],
                "urls": [],
            },
            "display_text_range": ["0", str(len(text))],
            "favorite_count": "0",
            "id_str": tweet_id,
            "truncated": False,
            "retweet_count": str(rng.randrange(40, 400)),
            "id": tweet_id,
            "created_at": _ruby_time(person.local(d, hour, rng.randrange(60), rng.randrange(60))),
            "favorited": False,
            "full_text": text,
            "lang": "en",
        }
    }


def write(person: Person, root: Path) -> None:
    rng = person.rand("twitter")
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    tweets = []
    for i, (d, hour, text, tags) in enumerate(sorted(TWEETS, reverse=True)):
        tweet_id = str(1_630_000_000_000_000_000 + i * 7_919_000_000_000 + rng.randrange(10**12))
        when = person.local(d, hour, rng.randrange(60), rng.randrange(60))
        tweets.append(
            {
                "tweet": {
                    "edit_info": {"initial": {"editTweetIds": [tweet_id], "editsRemaining": "5"}},
                    "retweeted": False,
                    "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
                    "entities": {
                        "hashtags": [{"text": t, "indices": ["0", "0"]} for t in tags],
                        "symbols": [],
                        "user_mentions": [],
                        "urls": [],
                    },
                    "display_text_range": ["0", str(len(text))],
                    "favorite_count": str(rng.randrange(0, 12)),
                    "id_str": tweet_id,
                    "truncated": False,
                    "retweet_count": str(rng.randrange(0, 3)),
                    "id": tweet_id,
                    "created_at": _ruby_time(when),
                    "favorited": False,
                    "full_text": text,
                    "lang": "en",
                }
            }
        )
    tweets.append(_retweet(person))
    tweets.sort(
        key=lambda t: datetime.strptime(str(t["tweet"]["created_at"]), "%a %b %d %H:%M:%S %z %Y"),
        reverse=True,
    )
    (data / "tweets.js").write_text(_js("tweets", tweets), encoding="utf-8")
    likes = [
        {"like": {"tweetId": tid, "fullText": text, "expandedUrl": f"https://twitter.com/i/web/status/{tid}"}}
        for tid, text in LIKES
    ]
    (data / "like.js").write_text(_js("like", likes), encoding="utf-8")
    p13n = [
        {
            "p13nData": {
                "demographics": {"languages": [{"language": "English", "isDisabled": False}]},
                "interests": {
                    "interests": [{"name": n, "isDisabled": False} for n in INTERESTS],
                    "partnerInterests": [],
                    "audienceAndAdvertisers": {"lookalikeAdvertisers": ["@salomon"], "advertisers": []},
                    "shows": ["Dune: Part Two", "Midnight Diner: Tokyo Stories"],
                },
            }
        }
    ]
    (data / "personalization.js").write_text(_js("personalization", p13n), encoding="utf-8")
    (data / "account-timezone.js").write_text(
        _js("account_timezone", [{"accountTimezone": {"accountId": ACCOUNT_ID, "timeZone": "Berlin"}}]),
        encoding="utf-8",
    )
    manifest = {
        "userInfo": {"accountId": ACCOUNT_ID, "userName": person.username, "displayName": "Mara"},
        "archiveInfo": {"generationDate": "2025-07-01T12:00:00.000Z", "isPartialArchive": False},
    }
    (data / "manifest.js").write_text(
        "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2, separators=(",", " : ")), encoding="utf-8"
    )
