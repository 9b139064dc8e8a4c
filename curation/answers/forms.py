from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from curation.answers.services import CONSENT_STATEMENT, EXCERPT_STATEMENTS, MAX_ANSWER_CHARS
from curation.security import clean_text


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer",
        validators=[Length(max=MAX_ANSWER_CHARS, message=f"An answer can be at most {MAX_ANSWER_CHARS:,} characters.")],
        filters=[clean_text],
        description="In your own words, without jargon. Leave a blank line between paragraphs.",
    )
    credit = RadioField(
        "How should we credit you?",
        choices=[
            SelectChoice("full", "Full name and credentials"),
            SelectChoice("first", "First name and credentials"),
            SelectChoice("anonymous", "Anonymously (“A registered psychotherapist”)"),
        ],
        default="full",
        validators=[InputRequired(message="Choose how you would like to be credited.")],
    )
    consent = BooleanField(CONSENT_STATEMENT)
    save = SubmitField("Save draft")
    submit = SubmitField("Submit answer")


class ExcerptDecisionForm(FlaskForm):
    # which words are decided: the quote's excerpt, or the card's
    kind = HiddenField(default="excerpt")
    decision = RadioField(
        "Your decision",
        choices=[SelectChoice("accept", EXCERPT_STATEMENTS[True]), SelectChoice("decline", EXCERPT_STATEMENTS[False])],
        validators=[InputRequired(message="Choose whether you agree to the excerpt.")],
    )
    note = TextAreaField("Note to the editor (optional)", validators=[Length(max=2000)], filters=[clean_text])


class CorrectionForm(FlaskForm):
    """The author's corrected wording of a published answer."""

    body = TextAreaField(
        "Corrected wording",
        validators=[Length(max=MAX_ANSWER_CHARS, message=f"An answer can be at most {MAX_ANSWER_CHARS:,} characters.")],
        filters=[clean_text],
        description="Your whole answer as you would like it published. The editor sees your changes word by word; "
        "the published page keeps the current words until a correction is published.",
    )
    note = TextAreaField("Note to the editor (optional)", validators=[Length(max=2000)], filters=[clean_text])


class QuoteChangeDecisionForm(FlaskForm):
    """The author's answer to new words proposed for their published quote."""

    change_id = HiddenField()
    decision = RadioField(
        "Your decision",
        choices=[SelectChoice("accept", "Yes, publish these words"), SelectChoice("decline", "No, keep the words as published")],
        validators=[InputRequired(message="Choose whether you agree to the new words.")],
    )
    note = TextAreaField("Note to the editor (optional)", validators=[Length(max=2000)], filters=[clean_text])
