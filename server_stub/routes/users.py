"""Account administration (admins only): list, create, change roles, unlock, (de)activate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server_stub import auth
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.users import User

router = APIRouter(prefix="/api/users", tags=["users"])

Admin = Annotated[User, Depends(auth.require_role("admin"))]
Role = Literal["analyst", "supervisor", "privacy_reviewer", "admin"]
Username = Annotated[str, Path(max_length=64, pattern=auth.USERNAME_PATTERN)]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=auth.USERNAME_PATTERN)
    password: str = Field(min_length=auth.MIN_PASSWORD, max_length=auth.MAX_PASSWORD)
    roles: list[Role] = Field(min_length=1, max_length=4)
    totp: bool = Field(True, description="second factor; may be off only in demo mode")


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1, max_length=4)


class UserOut(BaseModel):
    username: str
    roles: list[str]
    active: bool
    locked: bool
    second_factor: bool
    created_at: datetime
    last_login_at: datetime | None


class CreatedUser(UserOut):
    totp_uri: str | None = Field(description="otpauth:// link for an authenticator; shown once")


def _out(user: User) -> UserOut:
    return UserOut(username=user.username, roles=user.role_list, active=user.active,
                   locked=user.locked_at is not None, second_factor=user.totp_secret is not None,
                   created_at=user.created_at, last_login_at=user.last_login_at)


def _get(session: Session, username: str) -> User:
    user = auth.find_user(session, username)
    if user is None:
        raise HTTPException(status_code=404, detail="No such user.")
    return user


def _keeps_an_admin(session: Session, user: User, *, roles: list[str], active: bool) -> None:
    # Nobody could unlock or create accounts any more (short of the console) without one.
    admins = session.scalars(select(User).where(User.active.is_(True), User.id != user.id))
    others = [u for u in admins if "admin" in u.role_list]
    if not others and not (active and "admin" in roles):
        raise HTTPException(status_code=409, detail="This would leave no active administrator.")


@router.get("")
def list_users(admin: Admin, session: SessionDep) -> list[UserOut]:
    return [_out(u) for u in session.scalars(select(User).order_by(User.username))]


@router.post("", status_code=201)
def create(body: NewUser, admin: Admin, session: SessionDep, services: ServicesDep,
           source: SourceDep) -> CreatedUser:
    if not body.totp and not services.settings.demo_mode:
        raise HTTPException(status_code=400, detail="Every account needs a second factor "
                            "(only demo mode allows accounts without one).")
    try:
        user, secret = auth.create_user(session, username=body.username, password=body.password,
                                        roles=body.roles, totp=body.totp)
    except auth.AccountError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    services.audit(session, actor=admin.username, action="user.create",
                   object=f"user:{user.username}", source=source,
                   justification=f"roles: {user.roles}; second factor: {'yes' if secret else 'no'}")
    session.commit()
    uri = auth.provisioning_uri(user, secret, services.settings.rtcc_name) if secret else None
    return CreatedUser(**_out(user).model_dump(), totp_uri=uri)


@router.put("/{username}/roles")
def set_roles(username: Username, body: RolesIn, admin: Admin, session: SessionDep,
              services: ServicesDep, source: SourceDep) -> UserOut:
    user = _get(session, username)
    roles = auth.check_roles(body.roles)
    _keeps_an_admin(session, user, roles=roles, active=user.active)
    before, user.roles = user.roles, " ".join(roles)
    services.audit(session, actor=admin.username, action="user.roles",
                   object=f"user:{user.username}", source=source,
                   justification=f"roles: {before} -> {user.roles}")
    session.commit()
    return _out(user)


@router.post("/{username}/unlock")
def unlock(username: Username, admin: Admin, session: SessionDep, services: ServicesDep,
           source: SourceDep) -> UserOut:
    user = _get(session, username)
    was_locked = user.locked_at is not None
    auth.unlock(session, user)
    services.audit(session, actor=admin.username, action="auth.unlock",
                   object=f"user:{user.username}", source=source,
                   justification="" if was_locked else "was not locked; failure count cleared")
    session.commit()
    return _out(user)


@router.post("/{username}/deactivate")
def deactivate(username: Username, admin: Admin, session: SessionDep, services: ServicesDep,
               source: SourceDep) -> UserOut:
    """Stop the account from signing in and end its current sign-ins."""
    user = _get(session, username)
    _keeps_an_admin(session, user, roles=user.role_list, active=False)
    user.active = False
    auth.revoke_all(session, user)
    services.audit(session, actor=admin.username, action="user.deactivate",
                   object=f"user:{user.username}", source=source)
    session.commit()
    return _out(user)


@router.post("/{username}/activate")
def activate(username: Username, admin: Admin, session: SessionDep, services: ServicesDep,
             source: SourceDep) -> UserOut:
    user = _get(session, username)
    user.active = True
    services.audit(session, actor=admin.username, action="user.activate",
                   object=f"user:{user.username}", source=source)
    session.commit()
    return _out(user)
