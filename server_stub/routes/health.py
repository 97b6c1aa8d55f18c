"""Liveness and readiness: is the server up and can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from server_stub.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict:
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
