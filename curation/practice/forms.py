from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from curation.editor_markdown import CHEAT_SHEET
from curation.practice.services import parse_links
from curation.security import clean_line, is_safe_link, one_line


def _is_web_link(url: str) -> bool:
    return is_safe_link(url) and url.lower().startswith(("http://", "https://"))


def _web_link(form, field):
    if field.data and not _is_web_link(field.data):
        raise ValidationError("Use a web address starting with https:// (or http://).")


def _closing_links(form, field):
    for number, link in enumerate(parse_links(field.data or ""), start=1):
        if not link["label"] or not _is_web_link(link["url"]):
            raise ValidationError(
                f"Line {number}: write the link's words, a bar, then a web address starting with https://, "
                "e.g. “Book a session | https://example.org/book”."
            )


def _frame_origins(form, field):
    for origin in (field.data or "").split():
        if not origin.startswith("https://") or any(c in origin for c in "'\";,"):
            raise ValidationError("List web origins starting with https://, separated by spaces.")


class SettingsForm(FlaskForm):
    practice_name = StringField("Practice name", validators=[DataRequired(), Length(max=120)], filters=[one_line])
    series_name = StringField(
        "Series name", validators=[Length(max=120)], filters=[one_line],
        description="Public page titles, cards and link previews carry it. Empty: “Therapists Being Human”.",
    )
    booking_text = TextAreaField(
        "Booking call-to-action", validators=[DataRequired(), Length(max=1000)], filters=[clean_line],
        description="Ends every published feature. " + CHEAT_SHEET,
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
    closing_title = StringField(
        "Closing block heading", validators=[Length(max=120)], filters=[one_line],
        description="E.g. “Get to Know Our Therapists”.",
    )
    closing_text = TextAreaField(
        "Closing block text", validators=[Length(max=2000)], filters=[clean_line],
        description="Optional. " + CHEAT_SHEET,
    )
    closing_links = TextAreaField(
        "Closing block links", validators=[Length(max=2000), _closing_links], filters=[clean_line],
        description="One a line: the link's words, a bar, the address, e.g. “Find a therapist | https://example.org/team”. "
        "No links: no closing block.",
    )
    cards_between_quotes = BooleanField(
        "Show each quote's card between the quotes on the published page",
        description="The quote's words are the card's text alternative.",
    )
    reminder_days = IntegerField(
        "Reminder, days before the deadline", validators=[NumberRange(min=1, max=30)],
        description="Therapists who have not submitted get one reminder this many days before the deadline.",
    )
