from flask_wtf import FlaskForm
from wtforms import BooleanField


class NotificationsForm(FlaskForm):
    wants_notifications = BooleanField(
        "Send me mail about new challenges, reminders, reviews, excerpts and publications.",
        description="Mails about your account (such as invitations) are always sent.",
    )
