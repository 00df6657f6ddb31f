"""Placeholder: filled in by the parks issue's work in progress."""
