"""Realistic sample data so a newcomer can look around."""

from leaddesk.demo.generator import DemoSummary, load_demo_data

__all__ = ["DemoSummary", "load_demo_data"]
