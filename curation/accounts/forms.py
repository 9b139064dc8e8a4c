from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from curation.security import one_line

# a hint, not a password
PASSWORD_HELP = "At least 12 characters. A few words you will remember work well."  # nosec B105


def _email_field(label: str = "E-mail", **kw) -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[one_line],
        **kw,
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)], filters=[one_line])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class NewPasswordFields(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)], description=PASSWORD_HELP)
    password_confirm = PasswordField(
        "Password again", validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")]
    )


class NameFields(FlaskForm):
    name = StringField(
        "Your name",
        validators=[DataRequired(), Length(max=120)],
        filters=[one_line],
        description="As it should appear when you are credited, e.g. “Dana Whitfield”.",
    )
    credentials = StringField(
        "Credentials",
        validators=[Length(max=120)],
        filters=[one_line],
        description="Shown after your name, e.g. “RP” or “MSW, RSW”. Optional.",
    )


class ProfileFields(NameFields, NewPasswordFields):
    pass


class AcceptInvitationForm(ProfileFields):
    pass


class FirstEditorForm(ProfileFields):
    email = _email_field()
    base_url = StringField(
        "This site's address",
        validators=[Optional(), Length(max=300)],
        filters=[one_line],
        description="As readers will type it. Links in mails, the feed and shared pages use it. "
        "Check it: this is the address you opened this page with.",
    )


class InviteForm(FlaskForm):
    email = _email_field()
    role = SelectField("Role", choices=[SelectChoice("therapist", "Therapist"), SelectChoice("editor", "Editor")], default="therapist")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    password_confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")]
    )


class ResetRequestForm(FlaskForm):
    email = _email_field(description="The address you log in with. We send a link to choose a new password.")


class ResetPasswordForm(NewPasswordFields):
    pass


class ProfileForm(NameFields):
    profile_url = URLField(
        "Your page on the practice’s website",
        validators=[Optional(), Length(max=500)],
        filters=[one_line],
        description="Optional, e.g. https://practice.example/team/dana. Starts with https:// or http://.",
    )
    email = EmailField(
        "E-mail",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        filters=[one_line],
        description="A new address is used once you confirm it from a link we send there; until then this one stays.",
    )


class PersonForm(NameFields):
    """An editor correcting someone's name and credentials."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[one_line])


ERASE_CHOICES = [
    SelectChoice("anonymous", "Keep the quote, credited anonymously"),
    SelectChoice("remove", "Remove the quote"),
]


class TwoStepCodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=40), Regexp(r"^[0-9A-Za-z -]+$", message="Type the code as shown.")],
        filters=[one_line],
        description="The 6 digits your authenticator app shows now, or one of your recovery codes.",
    )


def erase_form(features) -> FlaskForm:
    """One choice per published feature that quotes the person."""

    class EraseForm(FlaskForm):
        pass

    for feature in features:
        setattr(
            EraseForm,
            f"feature_{feature.id}",
            RadioField(
                feature.title,
                choices=ERASE_CHOICES,
                default="anonymous",
                validators=[DataRequired(message="Choose what happens to the quote in this feature.")],
            ),
        )
    return EraseForm()
