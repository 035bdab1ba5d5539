"""The installed version of kamcore."""

__version__ = "0.1.0"
