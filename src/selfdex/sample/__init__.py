"""The sample person: a generator of realistic exports of a made-up life, for tests and the demo."""

from .generate import generate
from .person import Person

__all__ = ["Person", "generate"]
