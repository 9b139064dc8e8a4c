from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from curation.security import one_line


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)], filters=[one_line])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class ProfileFields(FlaskForm):
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
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=256)],
        description="At least 12 characters. A few words you will remember work well.",
    )
    password_confirm = PasswordField(
        "Password again", validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")]
    )


class AcceptInvitationForm(ProfileFields):
    pass


class FirstEditorForm(ProfileFields):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)], filters=[one_line])
    base_url = StringField(
        "This site's address",
        validators=[Optional(), Length(max=300)],
        filters=[one_line],
        description="As readers will type it. Links in mails, the feed and shared pages use it. "
        "Check it: this is the address you opened this page with.",
    )


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)], filters=[one_line])
    role = SelectField("Role", choices=[SelectChoice("therapist", "Therapist"), SelectChoice("editor", "Editor")], default="therapist")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    password_confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")]
    )
