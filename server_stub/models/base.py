"""The declarative base every server table derives from."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
