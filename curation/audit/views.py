"""The audit log page: what changed, who did it and when, newest first."""
from flask import Blueprint, render_template, request

from curation import audit, db
from curation.security import editor_required

bp = Blueprint("audit", __name__)


@bp.get("/editor/audit")
@editor_required
def log():
    page = max(1, request.args.get("page", 1, type=int))
    entries, total = audit.page(db.session, page)
    return render_template("audit/log.html", entries=entries, total=total, page=page, per_page=50)
