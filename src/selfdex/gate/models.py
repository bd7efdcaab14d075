"""What a recipient may ask the gate and the shapes of what it gets back.

The channels (HTTP, MCP) use these same models, so the OpenAPI spec, the MCP tool schemas and the
gate agree by construction. Requests forbid unknown fields: a recipient cannot smuggle options in.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AggregatesRequest",
    "AggregatesResponse",
    "AskRequest",
    "AskResponse",
    "CandidateIn",
    "Count",
    "FactItem",
    "GateRequest",
    "GrantInfo",
    "GrantRequest",
    "ProfileRequest",
    "ProfileResponse",
    "RankedItem",
    "RecordOut",
    "RerankRequest",
    "RerankResponse",
    "SearchRequest",
    "SearchResponse",
]

Name = Annotated[str, Field(min_length=1, max_length=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GrantRequest(_Strict):
    """What the caller's own grant allows (no data about the person)."""

    op: Literal["grant"] = "grant"


class ProfileRequest(_Strict):
    op: Literal["profile"] = "profile"


class AggregatesRequest(_Strict):
    op: Literal["aggregates"] = "aggregates"


class SearchRequest(_Strict):
    op: Literal["search"] = "search"
    query: str = Field("", max_length=500, description="Words to look for; empty lists the newest records.")
    platforms: list[Name] = Field(default_factory=list, max_length=50)
    kinds: list[Name] = Field(default_factory=list, max_length=50)
    since: str | None = Field(default=None, max_length=40, description="ISO date, inclusive")
    until: str | None = Field(default=None, max_length=40, description="ISO date, exclusive")
    limit: int = Field(20, ge=1, le=1000, description="Clamped to the grant's per-request cap.")


class CandidateIn(_Strict):
    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    creators: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    categories: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    position: int | None = Field(
        None, ge=0, le=100_000, description="Place in the platform's own list, 0 = top"
    )
    popularity: float | None = Field(
        None, ge=0, description="What the platform discloses of its popularity (a review or sales count)"
    )


class RerankRequest(_Strict):
    op: Literal["rerank"] = "rerank"
    platform: str = Field("", max_length=100, description="The recipient's platform, e.g. 'netflix'.")
    candidates: list[CandidateIn] = Field(min_length=1, max_length=1000)


class AskRequest(_Strict):
    op: Literal["ask"] = "ask"
    question: str = Field(min_length=1, max_length=2000)


GateRequest = GrantRequest | ProfileRequest | AggregatesRequest | SearchRequest | RerankRequest | AskRequest


# -- responses (documentation for the OpenAPI spec; the gate builds the JSON itself) ------------
class GrantInfo(BaseModel):
    level: Literal["grant"]
    name: str
    state: str
    purpose: str
    created_at: str
    expires_at: str
    revoked_at: str | None = None
    access: Literal["raw", "aggregates", "facts", "answers"]
    platforms: list[str]
    kinds: list[str]
    fields: list[str]
    since: str | None = None
    until: str | None = None
    per_request: int
    per_day: int
    keep: list[str]
    geo_decimals: int


class RecordOut(BaseModel):
    """A record with the granted fields only: fields outside the grant are absent, not null."""

    id: str
    platform: str
    action: str
    kind: str
    title: str | None = None
    creators: list[str] | None = None
    categories: list[str] | None = None
    external_ids: dict[str, str] | None = None
    url: str | None = None
    occurred_at: str | None = None
    occurred_tz: str | None = None
    time_precision: str | None = None
    rating: float | None = None
    rating_scale: float | None = None
    rating_norm: float | None = None
    duration_s: float | None = None
    amount: float | None = None
    currency: str | None = None
    quantity: float | None = None
    distance_m: float | None = None
    text: str | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    address: str | None = None


class SearchResponse(BaseModel):
    level: Literal["raw"]
    count: int
    truncated: bool
    records: list[RecordOut]


class Count(BaseModel):
    name: str
    count: int


class AggregatesResponse(BaseModel):
    level: Literal["aggregates"]
    total: int
    by_platform: list[Count]
    by_kind: list[Count]
    by_action: list[Count]
    by_month: list[Count] | None = None
    top_creators: list[Count] | None = None
    top_categories: list[Count] | None = None


class FactItem(BaseModel):
    key: str
    domain: str
    kind: str
    label: str
    score: float
    platforms: list[str]
    citations: list[str] | None = Field(
        default=None, description="Record ids; only for grants at the raw level."
    )


class ProfileResponse(BaseModel):
    level: Literal["facts"]
    facts: list[FactItem]


class RankedItem(BaseModel):
    id: str
    rank: int
    score: float
    reason: str
    cited: list[str] | None = Field(default=None, description="Record ids; only for grants at the raw level.")


class RerankResponse(BaseModel):
    level: Literal["answers"]
    ranker: str
    ranking: list[RankedItem]


class AskResponse(BaseModel):
    level: Literal["answers"]
    answer: str
    cited: list[str] | None = None
