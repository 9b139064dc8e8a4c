from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from curation.security import clean_line, is_safe_link, one_line


def _web_link(form, field):
    if field.data and not (is_safe_link(field.data) and field.data.lower().startswith(("http://", "https://"))):
        raise ValidationError("Use a web address starting with https:// (or http://).")


def _frame_origins(form, field):
    for origin in (field.data or "").split():
        if not origin.startswith("https://") or any(c in origin for c in "'\";,"):
            raise ValidationError("List web origins starting with https://, separated by spaces.")


class SettingsForm(FlaskForm):
    practice_name = StringField("Practice name", validators=[DataRequired(), Length(max=120)], filters=[one_line])
    booking_text = TextAreaField(
        "Booking call-to-action", validators=[DataRequired(), Length(max=1000)], filters=[clean_line],
        description="Ends every published feature.",
    )
    booking_label = StringField("Booking button text", validators=[DataRequired(), Length(max=80)], filters=[one_line])
    booking_url = URLField("Booking link", validators=[DataRequired(), Length(max=500), _web_link], filters=[one_line])
    anonymous_credit = StringField(
        "Credit line for anonymous answers", validators=[DataRequired(), Length(max=120)], filters=[one_line],
    )
    frame_ancestors = StringField(
        "Sites that may embed published features", validators=[Length(max=500), _frame_origins], filters=[one_line],
        description="Optional: your website's address, e.g. https://www.example-practice.ca. Empty: no site may frame them.",
    )
    crisis_resources = TextAreaField(
        "Crisis-resources line", validators=[Length(max=1000)], filters=[clean_line],
        description="Offered under a feature when a quote mentions suicide, self-harm or abuse; the editor decides.",
    )
    reminder_days = IntegerField(
        "Reminder, days before the deadline", validators=[NumberRange(min=1, max=30)],
        description="Therapists who have not submitted get one reminder this many days before the deadline.",
    )


class NotificationsForm(FlaskForm):
    wants_notifications = BooleanField(
        "Send me mail about new challenges, reminders, reviews, excerpts and publications.",
        description="Mails about your account (such as invitations) are always sent.",
    )
