"""Per-app objects: the database, reachable from views through ``database()``."""
from __future__ import annotations

from flask import Flask, current_app

from engine.db import Database


def init_app(app: Flask) -> None:
    app.extensions["alur_db"] = Database(app.config["DATABASE_URL"])


def database() -> Database:
    return current_app.extensions["alur_db"]


def engine_config() -> dict:
    return current_app.config
