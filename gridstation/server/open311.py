"""Open311 GeoReport v2 (placeholder until the router lands)."""

from __future__ import annotations

from fastapi import APIRouter

from gridstation.server.service import ServerService


def open311_router(service: ServerService) -> APIRouter:
    return APIRouter()
