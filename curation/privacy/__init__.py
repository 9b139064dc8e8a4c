"""The privacy check (check.py, with its rules in rules.py) and what the tool
does with its flags (services.py). Publishing asks two things of it: what
still stops it, and the crisis-resources line to add under the feature."""
from curation.privacy.services import crisis_line, unacknowledged_flags

__all__ = ["crisis_line", "unacknowledged_flags"]
