from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from curation.security import clean_line


class ReviewForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice("approve", "Approve"), SelectChoice("request_changes", "Request changes"), SelectChoice("reject", "Reject")],
        validators=[InputRequired(message="Choose approve, request changes or reject.")],
    )
    note = TextAreaField(
        "Note to the author", validators=[Length(max=5000)], filters=[clean_line],
        description="The therapist sees this note. Required when you request changes.",
    )
    excerpt = TextAreaField(
        "Excerpt (optional)", validators=[Length(max=20000)], filters=[clean_line],
        description="Only the answer's own words, in order, with … where you cut text. Leave empty to quote the whole answer.",
    )
    card_excerpt = TextAreaField(
        "Card excerpt (optional)", validators=[Length(max=20000)], filters=[clean_line],
        description="Shorter words for the square quote card, by the same rule; the author is asked to agree to them too.",
    )
    next = HiddenField()


class OrderForm(FlaskForm):
    order = HiddenField("Order", validators=[DataRequired(message="The order is missing.")])
    version = IntegerField("Version", validators=[InputRequired(message="The order's version is missing.")])


class QuoteChangeForm(FlaskForm):
    """New words proposed for a published quote; its author is asked first."""

    excerpt = TextAreaField(
        "New excerpt", validators=[Length(max=20000)], filters=[clean_line],
        description="Only the answer's own words, in order, with … where you cut text. Leave empty to propose the whole answer.",
    )
    note = TextAreaField("Note to the author", validators=[Length(max=5000)], filters=[clean_line])


class CorrectionDecisionForm(FlaskForm):
    """An editor's answer to an author's corrected wording."""

    change_id = HiddenField()
    decision = RadioField(
        "Decision",
        choices=[SelectChoice("approve", "Approve for the next correction"), SelectChoice("decline", "Decline")],
        validators=[InputRequired(message="Choose approve or decline.")],
    )
    excerpt = TextAreaField(
        "Excerpt (optional)", validators=[Length(max=20000)], filters=[clean_line],
        description="Only the corrected answer's own words, with … where you cut; the author is asked to accept it. "
        "Leave empty to quote the whole corrected answer.",
    )
    note = TextAreaField("Note to the author", validators=[Length(max=5000)], filters=[clean_line])
