"""Entry point for WSGI servers: `gunicorn wsgi:app`."""
from curation import create_app

app = create_app()
