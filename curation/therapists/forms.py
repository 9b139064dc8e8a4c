from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField, URLField
from wtforms.validators import Length, ValidationError

from curation.security import clean_line, is_safe_link, one_line

MAX_BIO = 600


def _web_address(form, field):
    if field.data and not (is_safe_link(field.data) and field.data.lower().startswith(("https://", "http://"))):
        raise ValidationError("Use the address of your page, starting with https://.")


class PublicPageForm(FlaskForm):
    has_public_page = BooleanField("Show a public page about me, with the quotes I published under my name")
    bio = TextAreaField(
        "A short bio (optional)", validators=[Length(max=MAX_BIO, message=f"Keep your bio to {MAX_BIO} characters.")],
        filters=[clean_line], description="A few sentences in your own words.",
    )
    profile_url = URLField(
        "Your page on the practice’s website (optional)", validators=[Length(max=500), _web_address],
        filters=[one_line], description="Readers can book with you from there.",
    )
