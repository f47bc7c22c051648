"""LeadDesk: a desktop lead inbox with explainable scoring and drip nurturing."""

__version__ = "0.1.0"
APP_NAME = "LeadDesk"
