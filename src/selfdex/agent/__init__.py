"""The person's agent: ask questions of their records, re-rank a platform's candidates.

Importing this package is cheap: the model libraries (openai; llama.cpp runs in a worker process), numpy and the
embedder load only when a model or the ranker is actually used.
"""

from .ask import Answer, Citation, ask
from .recommend import Recommendation, Recommendations, load_candidates, recommend

__all__ = ["Answer", "Citation", "Recommendation", "Recommendations", "ask", "load_candidates", "recommend"]
