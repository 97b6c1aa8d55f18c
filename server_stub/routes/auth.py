"""Sign in, refresh, sign out and "who am I" for analyst-side accounts (bearer tokens)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from server_stub import auth
from server_stub.auth import CurrentToken, CurrentUser
from server_stub.deps import ServicesDep, SessionDep, SettingsDep, SourceDep
from server_stub.ratelimit import limit_by_ip

#: Per client address. An RTCC floor behind one NAT address still signs in at shift change.
LOGIN_PER_MINUTE = 10
REFRESH_PER_MINUTE = 30

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=auth.USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD)
    totp: str | None = Field(None, pattern=auth.TOTP_PATTERN, description="6-digit code")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds; refresh before then")
    username: str
    roles: list[str]


class MeOut(BaseModel):
    username: str
    roles: list[str]
    second_factor: bool
    expires_at: datetime
    session_ends_at: datetime
    demo_mode: bool


def _token_out(issued: auth.IssuedToken) -> TokenOut:
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in,
                    username=issued.user.username, roles=issued.user.role_list)


@router.post(
    "/login", dependencies=[Depends(limit_by_ip("login", LOGIN_PER_MINUTE, 60))],
    responses={401: {"description": "wrong credentials"}, 423: {"description": "account locked"},
               429: {"description": "too many attempts from this address"}},
)
def login(body: LoginIn, session: SessionDep, services: ServicesDep, source: SourceDep) -> TokenOut:
    try:
        issued = auth.login(session, services, username=body.username, password=body.password,
                            code=body.totp, source=source)
    except auth.LoginRefused as refused:
        session.commit()  # keep the failure count, any lockout and their audit records
        raise HTTPException(status_code=refused.status, detail=refused.detail) from None
    session.commit()
    return _token_out(issued)


@router.post("/refresh", dependencies=[Depends(limit_by_ip("token", REFRESH_PER_MINUTE, 60))])
def refresh(token: CurrentToken, session: SessionDep) -> TokenOut:
    """A fresh token for the same sign-in (never past its 12-hour end); the old one dies."""
    issued = auth.refresh(session, token)
    session.commit()
    return _token_out(issued)


@router.post("/logout", status_code=204)
def logout(
    token: CurrentToken, session: SessionDep, services: ServicesDep, source: SourceDep
) -> Response:
    token.revoked_at = auth.utcnow()
    name = token.user.username
    services.audit(session, actor=name, action="auth.logout", object=f"user:{name}", source=source)
    session.commit()
    return Response(status_code=204)


@router.get("/me")
def me(user: CurrentUser, token: CurrentToken, settings: SettingsDep) -> MeOut:
    return MeOut(username=user.username, roles=user.role_list,
                 second_factor=user.totp_secret is not None, expires_at=token.expires_at,
                 session_ends_at=token.session_ends_at, demo_mode=settings.demo_mode)
