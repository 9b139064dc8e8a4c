"""Therapists' public pages. Erasing a person calls `remove_public_page`."""
from curation.therapists.services import remove_public_page

__all__ = ["remove_public_page"]
