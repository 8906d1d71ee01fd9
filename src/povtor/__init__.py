"""povtor: repeat-sales toolkit for a B2B seller."""

__version__ = "0.1.0"
