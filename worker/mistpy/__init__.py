"""Hydrosphere Mist's Python function API, re-implemented for Haze.

Existing Mist functions (``from mistpy.decorators import *``) deploy on Haze unchanged.
"""
