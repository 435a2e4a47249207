"""The share server: share pages that unfurl, beacons, media, and privacy-first counting.

Modules: ``http`` (a small asyncio HTTP/1.1 server), ``app`` (routes), ``page`` (HTML),
``classify`` (preview or click, visitor hash), ``clicklog`` (append-before-answer log),
``api`` (JSON API), ``media`` (byte ranges), ``server`` (start-up, flushing, shutdown).
"""
