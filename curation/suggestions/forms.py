from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from curation.security import clean_line, one_line

MAX_TOPIC = 200
MAX_DETAILS = 2000


class SuggestionForm(FlaskForm):
    topic = StringField(
        "Your question or topic",
        validators=[DataRequired(message="Tell us the question you would like our therapists to answer."),
                    Length(max=MAX_TOPIC, message=f"Keep the question to {MAX_TOPIC} characters; add more below.")],
        filters=[one_line],
        description="For example: “How do you stay kind to yourself on a bad day?”",
    )
    details = TextAreaField(
        "Anything you would like to add (optional)",
        validators=[Length(max=MAX_DETAILS, message=f"Please keep this to {MAX_DETAILS:,} characters.")],
        filters=[clean_line],
        description="Please leave out names and anything that could identify you or someone else.",
    )
    email = EmailField(
        "Your e-mail (optional)",
        validators=[Optional(), Length(max=254), Email(message="That does not look like an e-mail address.",
                                                       check_deliverability=False)],
        filters=[one_line],
        description="Only to tell you when your question becomes an edition; then we delete it.",
    )
    # Hidden from people, filled by form-filling robots: a filled one is not kept.
    website = StringField("Leave this field empty", filters=[one_line])


class SuggestionDecisionForm(FlaskForm):
    state = RadioField(
        "Mark as",
        choices=[SelectChoice("used", "Used"), SelectChoice("dismissed", "Dismissed"), SelectChoice("new", "New")],
        validators=[InputRequired(message="Choose how to mark this suggestion.")],
    )
