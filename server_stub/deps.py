"""Typed dependencies for the routes: the database session, settings, services, client address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server_stub.services import Services
from server_stub.settings import ServerSettings


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_session(services: Annotated[Services, Depends(get_services)]) -> Iterator[Session]:
    with services.sessions() as session:
        yield session


def get_settings(services: Annotated[Services, Depends(get_services)]) -> ServerSettings:
    return services.settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


ServicesDep = Annotated[Services, Depends(get_services)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
SourceDep = Annotated[str, Depends(client_address)]
