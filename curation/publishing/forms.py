import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import Optional


class ScheduleForm(FlaskForm):
    publish_at = DateTimeLocalField(
        "Publish at",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Optional: the day and time to publish, in the practice's time zone. Empty: publish now.",
    )

    def publish_at_utc(self) -> dt.datetime | None:
        local = self.publish_at.data
        if local is None:
            return None
        return local.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(dt.timezone.utc)
