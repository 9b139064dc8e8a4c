"""`/healthz`: the app answers and so does its database (for the load balancer and uptime checks)."""
from flask import Blueprint
from sqlalchemy import text

from curation import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
