"""The disclosure gate: grants, redaction, the audit chain, and the one path data takes to leave."""

from .audit import AuditEntry, AuditLog, Verification
from .core import (
    CapExceeded,
    Disclosure,
    Forbidden,
    Gate,
    GateError,
    GateFailure,
    Unauthenticated,
    Unavailable,
)
from .grants import (
    CONTENT_FIELDS,
    DEFAULT_FIELDS,
    LEVELS,
    REDACTION_CATEGORIES,
    Grant,
    GrantError,
    Scope,
    add_grant,
    grant_by_name,
    list_grants,
    revoke_grant,
)
from .models import (
    AggregatesRequest,
    AskRequest,
    CandidateIn,
    GateRequest,
    ProfileRequest,
    RerankRequest,
    SearchRequest,
)
from .providers import Answer, FactOut, Providers, default_providers
from .redact import Redactor

__all__ = [
    "CONTENT_FIELDS",
    "DEFAULT_FIELDS",
    "LEVELS",
    "REDACTION_CATEGORIES",
    "AggregatesRequest",
    "Answer",
    "AskRequest",
    "AuditEntry",
    "AuditLog",
    "CandidateIn",
    "CapExceeded",
    "Disclosure",
    "FactOut",
    "Forbidden",
    "Gate",
    "GateError",
    "GateFailure",
    "GateRequest",
    "Grant",
    "GrantError",
    "ProfileRequest",
    "Providers",
    "Redactor",
    "RerankRequest",
    "Scope",
    "SearchRequest",
    "Unauthenticated",
    "Unavailable",
    "Verification",
    "add_grant",
    "default_providers",
    "grant_by_name",
    "list_grants",
    "revoke_grant",
]
