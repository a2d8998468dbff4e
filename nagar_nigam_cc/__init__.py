"""Nagar Nigam Call Centre: citizens' complaints on one number, routed, tracked and escalated on time."""
from .celery import app as celery_app

__all__ = ("celery_app",)
