"""selfdex: a person's own personalization engine over their data exports."""

__version__ = "0.1.0"
