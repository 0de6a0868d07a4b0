"""Haze's Python side: loading user functions and describing their signatures.

``python -m haze_worker.info`` is the info extractor the master runs (no Spark, no JVM).
"""
