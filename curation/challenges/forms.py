import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from curation.editor_markdown import CHEAT_SHEET
from curation.security import clean_line, one_line

FIELD_NAMES = (
    "title", "topic", "question", "intro", "challenge_text", "challengers", "challengers_text", "results_title",
    "outro", "word_limit",
)


class ChallengeForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200)],
        filters=[one_line],
        description="The headline of the published feature, e.g. “What Do Therapists Really Think About Rest?”",
    )
    topic = StringField(
        "The Challenge (topic)", validators=[DataRequired(), Length(max=200)], filters=[one_line],
        description="A few words, e.g. “Rest”.",
    )
    question = TextAreaField(
        "Question", validators=[DataRequired(), Length(max=2000)], filters=[clean_line],
        description="The question therapists answer, in plain words.",
    )
    intro = TextAreaField(
        "Introduction", validators=[Length(max=10000)], filters=[clean_line],
        description="Opens the feature. " + CHEAT_SHEET,
    )
    challenge_text = TextAreaField(
        "The Challenge: why this topic", validators=[Length(max=10000)], filters=[clean_line],
        description="Optional, under the heading “The Challenge”. " + CHEAT_SHEET,
    )
    challengers = StringField(
        "The Challengers", validators=[DataRequired(), Length(max=200)], filters=[one_line],
        default="Psychotherapists",
    )
    challengers_text = TextAreaField(
        "The Challengers: who they are", validators=[Length(max=10000)], filters=[clean_line],
        description="Optional, under the heading “The Challengers”. " + CHEAT_SHEET,
    )
    results_title = StringField(
        "Heading over the quotes", validators=[Length(max=200)], filters=[one_line],
        description="Optional, e.g. “The Results: What Rest Means to Us”.",
    )
    outro = TextAreaField(
        "Closing paragraph", validators=[Length(max=10000)], filters=[clean_line],
        description="E.g. “Join us next time…”. The booking call-to-action follows it. " + CHEAT_SHEET,
    )
    closes_at = DateTimeLocalField(
        "Deadline", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="Optional. After it, no new answers are accepted.",
    )
    word_limit = IntegerField(
        "Word limit", validators=[Optional(), NumberRange(min=10, max=5000, message="Between 10 and 5,000 words.")],
        description="Optional.",
    )

    def fields_for_service(self) -> dict:
        fields = {name: getattr(self, name).data for name in FIELD_NAMES}
        fields["closes_at"] = _as_utc(self.closes_at.data)
        return fields

    def fill_from(self, challenge) -> None:
        for name in FIELD_NAMES:
            getattr(self, name).data = getattr(challenge, name)
        if challenge.closes_at:
            zone = ZoneInfo(current_app.config["TIMEZONE"])
            self.closes_at.data = challenge.closes_at.astimezone(zone).replace(tzinfo=None)


def _as_utc(local: dt.datetime | None) -> dt.datetime | None:
    """The deadline is typed in the practice's time zone."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(dt.UTC)
