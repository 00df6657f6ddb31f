"""Placeholder: admin pages."""
