"""The knowledge base for stations (issue 17): the articles changed since a station's cursor, with the decisions on
its proposals (`GET /api/v1/kb`), and a proposal from one of its closed cases (`POST /api/v1/kb/proposals`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gridstation.protocol import KB_PAGE, MAX_KB_PAGE, KnowledgeChanges, ProposalIn, ProposalReceipt
from gridstation.server.api.deps import AuthStation, Service
from gridstation.server.api.errors import ERROR_RESPONSES

router = APIRouter()


@router.get("/api/v1/kb", response_model=KnowledgeChanges, responses=ERROR_RESPONSES)
def knowledge_changes(
    station: AuthStation,
    service: Service,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_KB_PAGE)] = KB_PAGE,
) -> KnowledgeChanges:
    """Articles changed after `since` (retired ones too, so the station drops them) and decisions on this station's
    proposals, in the centre's commit order; store them with `cursor` in one transaction."""
    return service.kb_changes(station, since, limit)


@router.post("/api/v1/kb/proposals", response_model=ProposalReceipt, responses=ERROR_RESPONSES)
def propose(body: ProposalIn, station: AuthStation, service: Service) -> ProposalReceipt:
    """A proposed article from one of the station's closed cases (经验沉淀); the same `idempotency_key` again is a
    duplicate."""
    return service.receive_proposal(station, body)
